"""`@immutable`'s `__init__` templates, one for each shape of ketcost's classes
(P positional and K keyword-only fields): `init_P_K`. Each stores parameter `vI` with the setter
`sI`, which `immutable._init` puts in the function's globals.

Written by `python tools/generate.py` from ketcost's classes; `tests/test_immutable.py` checks that
every class's shape is here.
"""

# mypy: ignore-errors
# ruff: noqa: F821


def init_2_0(self, v0, v1):
    s0(self, v0)
    s1(self, v1)


def init_3_0(self, v0, v1, v2):
    s0(self, v0)
    s1(self, v1)
    s2(self, v2)


def init_4_0(self, v0, v1, v2, v3):
    s0(self, v0)
    s1(self, v1)
    s2(self, v2)
    s3(self, v3)


def init_5_0(self, v0, v1, v2, v3, v4):
    s0(self, v0)
    s1(self, v1)
    s2(self, v2)
    s3(self, v3)
    s4(self, v4)


def init_6_0(self, v0, v1, v2, v3, v4, v5):
    s0(self, v0)
    s1(self, v1)
    s2(self, v2)
    s3(self, v3)
    s4(self, v4)
    s5(self, v5)


def init_7_0(self, v0, v1, v2, v3, v4, v5, v6):
    s0(self, v0)
    s1(self, v1)
    s2(self, v2)
    s3(self, v3)
    s4(self, v4)
    s5(self, v5)
    s6(self, v6)


def init_10_0(self, v0, v1, v2, v3, v4, v5, v6, v7, v8, v9):
    s0(self, v0)
    s1(self, v1)
    s2(self, v2)
    s3(self, v3)
    s4(self, v4)
    s5(self, v5)
    s6(self, v6)
    s7(self, v7)
    s8(self, v8)
    s9(self, v9)


def init_11_0(self, v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10):
    s0(self, v0)
    s1(self, v1)
    s2(self, v2)
    s3(self, v3)
    s4(self, v4)
    s5(self, v5)
    s6(self, v6)
    s7(self, v7)
    s8(self, v8)
    s9(self, v9)
    s10(self, v10)


def init_15_0(self, v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14):
    s0(self, v0)
    s1(self, v1)
    s2(self, v2)
    s3(self, v3)
    s4(self, v4)
    s5(self, v5)
    s6(self, v6)
    s7(self, v7)
    s8(self, v8)
    s9(self, v9)
    s10(self, v10)
    s11(self, v11)
    s12(self, v12)
    s13(self, v13)
    s14(self, v14)


def init_19_1(
    self,
    v0,
    v1,
    v2,
    v3,
    v4,
    v5,
    v6,
    v7,
    v8,
    v9,
    v10,
    v11,
    v12,
    v13,
    v14,
    v15,
    v16,
    v17,
    v18,
    *,
    v19,
):
    s0(self, v0)
    s1(self, v1)
    s2(self, v2)
    s3(self, v3)
    s4(self, v4)
    s5(self, v5)
    s6(self, v6)
    s7(self, v7)
    s8(self, v8)
    s9(self, v9)
    s10(self, v10)
    s11(self, v11)
    s12(self, v12)
    s13(self, v13)
    s14(self, v14)
    s15(self, v15)
    s16(self, v16)
    s17(self, v17)
    s18(self, v18)
    s19(self, v19)


def init_21_0(
    self,
    v0,
    v1,
    v2,
    v3,
    v4,
    v5,
    v6,
    v7,
    v8,
    v9,
    v10,
    v11,
    v12,
    v13,
    v14,
    v15,
    v16,
    v17,
    v18,
    v19,
    v20,
):
    s0(self, v0)
    s1(self, v1)
    s2(self, v2)
    s3(self, v3)
    s4(self, v4)
    s5(self, v5)
    s6(self, v6)
    s7(self, v7)
    s8(self, v8)
    s9(self, v9)
    s10(self, v10)
    s11(self, v11)
    s12(self, v12)
    s13(self, v13)
    s14(self, v14)
    s15(self, v15)
    s16(self, v16)
    s17(self, v17)
    s18(self, v18)
    s19(self, v19)
    s20(self, v20)
