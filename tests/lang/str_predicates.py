for s in ['123', 'abc', 'ABC', ' \t', 'a1', '', 'Abc']:
    print(repr(s), s.isdigit(), s.isalpha(), s.isspace(), s.isupper(), s.islower())
