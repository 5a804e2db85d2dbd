"""The hostile set: submissions of chapter 03 that attack the grader, and honest ones that used to
break it. tests/test_hostile.py grades them in one batch beside correct controls.

Each attack is (cells by grade_id, added cells: code, or ("markdown", text)). Attacks implement nothing, so
they deserve 0 whatever they do; honest submissions hold correct code and deserve full marks.
`{port}` in a cell's source is replaced by the port of a server the test listens on, on the
host's loopback, which no submission may reach.
"""
STUB = "raise NotImplementedError()\n"
PWNED = "document.title = 'pwned'; window.pwned = 1; document.body.insertAdjacentHTML('afterbegin', '<p id=pwned>x</p>')"

ATTACKS = {
    "rebinds-the-checks": ({"rnn_step_forward": (
        "fail = lambda *a, **k: None\n"
        "call = lambda f, *a, **k: __import__('numpy').zeros((4, 5))\n"
        "check_array = lambda value, *a, **k: value\n"
        "check_close = check_scalar = lambda *a, **k: None\n"
        "matches = lambda *a, **k: False\n")}, []),
    "swaps-the-code-of-the-checks": ({"rnn_step_forward": (
        "import seqcourse.checks as checks\n"
        "nothing = lambda *a, **k: None\n"
        "for name in ['fail', 'check_array', 'check_close', 'check_scalar', 'call']:\n"
        "    getattr(checks, name).__code__ = nothing.__code__\n")}, []),
    "patches-numpy-and-the-package": ({"rnn_step_forward": (
        "import numpy, seqcourse.checks\n"
        "numpy.allclose = lambda *a, **k: True\n"
        "numpy.testing.assert_allclose = lambda *a, **k: None\n"
        "seqcourse.checks.CheckFailed = type('Never', (Exception,), {})\n")}, []),
    "installs-an-input-transformer": ({"rnn_step_forward": (
        "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])\n"
        "get_ipython().set_custom_exc((Exception,), lambda *a, **k: None)\n")}, []),
    "loads-the-reference": ({grade_id: (
        "from grader.reference import load_reference\n"
        f"{grade_id} = load_reference('03_rnn').{grade_id}\n") for grade_id in
        ["rnn_step_forward", "rnn_forward", "rnn_to_torch", "sequence_cross_entropy", "sample_with_temperature"]}, []),
    "hands-back-the-package-copy": ({"rnn_step_forward": "from seqcourse.rnn import rnn_step_forward\n",
                                     "rnn_forward": "import seqcourse.rnn\nrnn_forward = seqcourse.rnn.rnn_forward\n"}, []),
    "reaches-for-the-course-files": ({"rnn_step_forward": (
        "import glob, os, sqlite3\n"
        "found = []\n"
        "for pattern in ['/work/**/gradebook.db', '/tmp/**/gradebook.db', '/**/autograde', '/**/solutions']:\n"
        "    found += glob.glob(pattern, recursive=True)\n"
        "print('found', found)\n"
        "for path in found:\n"
        "    try:\n"
        "        if path.endswith('.db'):\n"
        "            db = sqlite3.connect(path)\n"
        "            db.execute('update submitted_assignment set extra_credit = 1000')\n"
        "            db.execute(\"update source_cell set source = 'pass', checksum = ''\")\n"
        "            db.commit()\n"
        "    except Exception as error:\n"
        "        print('blocked', error)\n"
        "import seqcourse\n"
        "try:\n"
        "    with open(seqcourse.checks.__file__, 'a') as source:\n"
        "        source.write('\\nfail = lambda *a, **k: None\\n')\n"
        "except Exception as error:\n"
        "    print('blocked', type(error).__name__)\n"
        "for path in glob.glob('/**/*.ipynb', recursive=True)[:50]:\n"
        "    try:\n"
        "        print(open(path).read()[:2000])\n"
        "    except Exception:\n"
        "        pass\n")}, []),
    "leaves-a-daemon": ({"rnn_step_forward": (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        for _ in range(600):\n"
        "            time.sleep(0.5)\n"
        "            for path in ['/work/main/autograde/grades.csv']:\n"
        "                try:\n"
        "                    open(path, 'a').write('evil,03_rnn,20,20,graded\\n')\n"
        "                except Exception:\n"
        "                    pass\n"
        "    os._exit(0)\n")}, []),
    "kills-what-it-can": ({"rnn_step_forward": (
        "import os, signal\n"
        "for pid in [1, 2, os.getppid(), -1]:\n"
        "    try:\n"
        "        os.kill(pid, signal.SIGKILL)\n"
        "    except Exception as error:\n"
        "        print(pid, type(error).__name__)\n")}, []),
    "forks-without-end": ({"rnn_step_forward": (
        "import os\n"
        "children = 0\n"
        "try:\n"
        "    while children < 10000:\n"
        "        if os.fork() == 0:\n"
        "            import time; time.sleep(30); os._exit(0)\n"
        "        children += 1\n"
        "except OSError as error:\n"
        "    print('stopped after', children, error)\n")}, []),
    "holds-three-gigabytes": ({"rnn_step_forward": "hoard = bytearray(3 * 2**30)\nhoard[::4096] = b'x' * len(hoard[::4096])\n"}, []),
    "floods-its-output": ({"rnn_step_forward": "line = 'x' * 999 + '\\n'\nfor _ in range(200_000):\n    print(line, end='')\n"}, []),
    "sleeps-in-every-cell": ({}, ["import time\ntime.sleep(4.5)\n"] * 14),
    "adds-three-thousand-cells": ({}, ["x = 1\n"] * 3000),
    "uses-the-network": ({"rnn_step_forward": (
        "import socket\n"
        "for host in ['127.0.0.1', 'localhost', '10.0.2.2']:\n"
        "    try:\n"
        "        socket.create_connection((host, {port}), timeout=2).sendall(b'hello')\n"
        "        print('connected to', host)\n"
        "    except Exception as error:\n"
        "        print('no network:', type(error).__name__)\n")}, []),
    "injects-script": ({"rnn_step_forward": (
        "from IPython.display import HTML, Javascript, display\n"
        f"display(HTML(\"<script>{PWNED}</script><img src=x onerror=\\\"{PWNED}\\\">\"))\n"
        f"display(Javascript(\"{PWNED}\"))\n"
        f"print('<script>{PWNED}</script>')\n")},
        [("markdown", f"<script>{PWNED}</script>\n\n<img src=x onerror=\"{PWNED}\">\n\n"
          "<div class='score' style='position:fixed;top:0;left:0;font-size:40px'>Score: 20.0 / 20.0</div>\n\n"
          f"[click me](javascript:{PWNED})\n")]),
    "sends-a-malformed-reply": ({"rnn_step_forward": (  # a cell's reply whose "error" is not a mapping
        "import wire\n"
        "_send = wire.send\n"
        "wire.send = lambda sock, header, buffers=(): _send(sock, {**header, 'error': 'boom', 'tampered': 7} "
        "if 'stdout' in header else header, buffers)\n")}, []),
    "trickles-a-reply": ({"rnn_step_forward": (  # announces a 32 MB reply, then sends a byte every 2 s
        "import gc, struct, time\n"
        "session = [o for o in gc.get_objects() if type(o).__name__ == 'Session' and getattr(o, 'sock', None)][0]\n"
        "session.sock.sendall(struct.pack('>I', 2**25))\n"
        "while True:\n"
        "    session.sock.send(b' ')\n"
        "    time.sleep(2)\n")}, []),
    "sends-colliding-keys": ({"rnn_step_forward": (  # 150,000 dict keys with one hash: quadratic to decode
        "import wire\n"
        "colliding = {'$dict': [[{'$bigint': str(k * (2**61 - 1))}, 0] for k in range(1, 150_001)]}\n"
        "_send = wire.send\n"
        "wire.send = lambda sock, header, buffers=(): _send(sock, {**header, 'value': colliding} "
        "if 'value' in header else header, buffers)\n")}, []),
}

# Attacks with some honest work: each must score exactly what the same notebook scores without the
# attack (its control). A helper such as `repeat` runs beside the student's code, with copies of the
# test's data; this one rewrites those copies (the logits from which the hidden test computes the
# expected frequencies) and used to have the change copied back into the grader's own.
UNIFORM_SAMPLER = (
    "def sample_with_temperature(logits, temperature, rng):\n"
    "    return int(rng.integers(len(logits)))  # not a softmax sampler\n")
PAIRED = {
    "rewrites-data-beside-the-grader": ({"sample_with_temperature": UNIFORM_SAMPLER + (
        "import seqcourse.checks as checks\n"
        "def repeat(function, times, *args, **kwargs):\n"
        "    args[0][...] = 0.0  # the logits: uniform draws would then be right\n"
        "    return [function(*args, **kwargs) for _ in range(times)]\n"
        "repeat.beside_student = True\n"
        "checks.repeat = repeat\n")}, {"sample_with_temperature": UNIFORM_SAMPLER}),
}

# Honest students whose correct code broke the old grader: each deserves full marks.
HONEST = {
    "copies-a-test-cell": "duplicate",
    "adds-a-graded-cell": "graded-cell",
    "marks-a-solution-cell-as-graded": "retagged",
    "swallows-the-interrupt": "bare-except",
    "writes-hidden-markers-in-markdown": "markers",
}
