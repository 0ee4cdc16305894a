"""The exceptions and warnings chunkjit raises beyond Python's built-in ones."""


class KernelCompileError(Exception):
    """A kernel marked ``strict=True`` uses a construct outside the compiled subset."""


class FallbackWarning(UserWarning):
    """A kernel runs interpreted (slowly); the message says which construct and why."""
