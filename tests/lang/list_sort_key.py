words = ['banana', 'Apple', 'cherry', 'date', 'Elder', 'fig']
print(sorted(words))
print(sorted(words, key=str.lower))
print(sorted(words, key=len))
print(sorted(words, key=lambda w: (len(w), w), reverse=True))
nums = [5, -3, 2, -8, 0]
nums.sort(key=abs); print(nums)
nums.sort(reverse=True); print(nums)
