class Animal:
    def __init__(self, name):
        self.name = name
    def speak(self):
        return self.name + ' makes ' + self.sound()
    def sound(self):
        return '...'
class Dog(Animal):
    def sound(self):
        return 'woof'
class Puppy(Dog):
    def __init__(self, name):
        super().__init__(name + ' jr')
    def sound(self):
        return super().sound() + '!'
for a in [Animal('x'), Dog('rex'), Puppy('rex')]:
    print(a.speak())
print(isinstance(Puppy('a'), Animal), issubclass(Dog, Puppy), issubclass(Puppy, Animal))
