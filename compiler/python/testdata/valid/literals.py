'''Module docstring in triple single quotes.'''
import numpy as np

INTS = [0, 7, 1_000_000, 0x1F, 0o17, 0b1010, 00]
FLOATS = [1., .5, 1.5, 1e-3, 1E+3, 2.5e10, 1_0.0_1, 0.0, 09.5]
NEG = -1.25
NAMES = ("a", 'b', """c""", r"\d+", b"raw bytes", "tab\tnew\nline", "x" "y")
FLAGS = [True, False, None]
EMPTY = ()
SINGLE = (1,)
NESTED = [[1, [2, [3]]], []]


def f(x):
    '''Docstring.'''
    y = x ** 2 ** -1
    z = -x ** 2 + +x - -1 // 3 % 2
    w = (x @ x.T) * 2 / 3
    c = x >= 0.5
    return y, z, w, c
