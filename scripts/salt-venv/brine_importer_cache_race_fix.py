"""Installed into the interop test venvs by scripts/setup-salt.sh (loaded by brine_importer_cache_race_fix.pth).

Salt's LazyLoader calls importlib.invalidate_caches() on every module load, and a Salt 3008 MWorker
loads modules from more than one thread (auth signing runs in an executor). CPython's
PathFinder.invalidate_caches() does `for name in list(cache): ... del cache[name]`, so two threads
invalidating at once can both delete the same entry and one gets KeyError (seen in CI as
"KeyError: '.../python311.zip'" followed by "KeyError: 'localfs_key.fetch'" in the salt-master log).
That is a race in Salt + CPython, not in what the interop tests check, so the test venvs make
deleting a missing importer-cache entry a no-op. Nothing else in Salt's behaviour changes.
"""

import sys


class _TolerantImporterCache(dict):
    __slots__ = ()

    def __delitem__(self, key):
        self.pop(key, None)


if type(sys.path_importer_cache) is dict:
    sys.path_importer_cache = _TolerantImporterCache(sys.path_importer_cache)
