def is_pal(s):
    s = ''.join(c for c in s.lower() if c.isalpha())
    return s == s[::-1]
print(is_pal('A man, a plan, a canal: Panama'), is_pal('vboard'))
def rle(s):
    out = []
    for c in s:
        if out and out[-1][0] == c:
            out[-1][1] += 1
        else:
            out.append([c, 1])
    return ''.join('%s%d' % (c, n) for c, n in out)
print(rle('aaabccdddd'))
print(sorted('listen') == sorted('silent'))
