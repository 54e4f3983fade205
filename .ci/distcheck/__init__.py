"""Release checks for the distributions of the kie workspace (used by ``nox -s dist``).

:mod:`~distcheck.workspace` finds every distribution (the root, ``plugins/*``,
``docs/examples/*``) and reads what its ``pyproject.toml`` declares;
:mod:`~distcheck.contents` compares a built wheel with its source package;
:mod:`~distcheck.versions` checks the lock-step version policy; :mod:`~distcheck.readme` reads
the install commands the README gives. Everything here is standard library plus ``packaging``.
"""
