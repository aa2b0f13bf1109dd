/* bench_lang.py's baseline: the board's own engine without the MicroPython
 * dressing. It embeds the same libpython3.11 the VM links, isolated, no
 * modules of ours, and runs the program given on stdin, so the ratio
 * board / this is what vboard's layer costs (the shared library's own
 * cost against Debian's statically linked /usr/bin/python3 shows apart). */
#include <Python.h>

#include <stdio.h>
#include <stdlib.h>

#define PROGRAM_MAX (1u << 20)

int main(void)
{
    char *src = malloc(PROGRAM_MAX + 1);
    size_t n = src ? fread(src, 1, PROGRAM_MAX, stdin) : 0;
    if (!src || ferror(stdin)) {
        fprintf(stderr, "plain_engine: cannot read the program\n");
        return 2;
    }
    src[n] = '\0';
    PyConfig cfg;
    PyConfig_InitIsolatedConfig(&cfg);
    PyStatus st = Py_InitializeFromConfig(&cfg);
    PyConfig_Clear(&cfg);
    if (PyStatus_Exception(st)) {
        fprintf(stderr, "plain_engine: %s\n", st.err_msg ? st.err_msg : "cannot start CPython");
        return 2;
    }
    int rc = PyRun_SimpleString(src);
    free(src);
    return Py_FinalizeEx() < 0 || rc != 0 ? 1 : 0;
}
