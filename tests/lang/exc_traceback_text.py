# a report as the REPL prints it, through sys.print_exception
import sys
def g():
    return 1 / 0
try:
    g()
except ZeroDivisionError as e:
    sys.print_exception(e)
try:
    [].pop()
except IndexError as e:
    sys.print_exception(e)
