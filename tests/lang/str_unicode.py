s = 'héllo wörld €'
print(len(s), s, s[1], s[-1], ord('€'), chr(0x3b1))
e = s.encode('utf-8')
print(len(e), e[:3], e.decode('utf-8') == s)
print(len('α'), 'αβγ'[1:], 'αβγ'[::-1])
