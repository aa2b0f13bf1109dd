print('a\tb', 'c\\d', 'e\x41', '\u00e9', 'multi\nline')
print(r'raw\n', len(r'\n'), len('\n'))
print('''triple
quoted''')
