"""Sample submissions for chapter 09, and the grades they deserve.

`make samples` writes each one to autograde/submitted/<student_id>/09_wavenet/09_wavenet.ipynb, starting
from the released student notebook and replacing cells by their nbgrader grade_id; `make grade`
grades them, and tests/test_grading.py checks every expectation below:

- `lost`: the test cells that must score zero; every other test cell must score full marks;
- `says`: words the student's feedback must contain, because they name the mistake.

Wrong variants take the correct alternative below (or, for the convolution, a second correct style
with np.pad) and break one function the way students do. The six exercises do not call each other,
so a mistake costs points in its own exercise only.
"""
from instructor.samples import variants_of


CONV = {"causal_conv1d_by_hand", "causal_conv1d_torch", "causal_conv1d_causal", "causal_conv1d_hidden"}
FIELD = {"receptive_field_by_hand", "receptive_field_gradients", "receptive_field_hidden"}
CAUSAL = {"is_causal_basics", "is_causal_every_step", "is_causal_hidden"}
ENCODE = {"mu_law_encode_by_hand", "mu_law_encode_closed_form", "mu_law_encode_hidden"}
DECODE = {"mu_law_decode_by_hand", "mu_law_decode_inverse", "mu_law_decode_hidden"}
BLOCK = {"block_structure", "block_by_hand", "block_torch", "block_dependence", "block_hidden"}
ALL_TESTS = CONV | FIELD | CAUSAL | ENCODE | DECODE | BLOCK

# Correct, in another style than the solution: loops with explicit bounds instead of a padded copy,
# a running sum, single-step perturbations, log10 and np.trunc of v + 1/2 (v >= 0, so trunc is floor),
# a power instead of expm1, and a block that pads
# both ends inside nn.Conv1d and keeps the first T outputs. The block's padding="same"-free
# convolutions write nothing to stderr; rint and log10 are exact enough for the integer classes.
CORRECT = {
    "causal_conv1d": '''\
def causal_conv1d(x, W, b, dilation=1):
    k = W.shape[0]
    N, T, _ = x.shape
    y = np.empty((N, T, W.shape[2]), dtype=x.dtype)
    for t in range(T):
        total = np.broadcast_to(b, (N, W.shape[2])).astype(x.dtype)
        for j in range(k):
            s = t - (k - 1 - j) * dilation
            if s >= 0:
                total = total + x[:, s] @ W[j]
        y[:, t] = total
    return y
''',
    "receptive_field": '''\
def receptive_field(kernel_size, dilations):
    R = 1
    for d in dilations:
        R += (kernel_size - 1) * d
    return R
''',
    "is_causal": '''\
def is_causal(layer, x):
    T = x.shape[1]
    with torch.no_grad():
        base = layer(x)
        for u in range(1, T):  # change one step u at a time; nothing before u may move
            probe = x.clone()
            probe[:, u] = probe[:, u] + 1.0 + torch.rand_like(probe[:, u])
            if (layer(probe)[:, :u] - base[:, :u]).abs().max() > 1e-6:
                return False
    return True
''',
    "mu_law_encode": '''\
def mu_law_encode(x, mu=255):
    x = np.asarray(x, dtype=np.float64)
    f = np.sign(x) * np.log10(1 + mu * np.abs(x)) / np.log10(1 + mu)
    return np.trunc((f + 1) * mu / 2 + 0.5).astype(np.int64)
''',
    "mu_law_decode": '''\
def mu_law_decode(q, mu=255):
    f = np.asarray(q) * (2.0 / mu) - 1.0
    return np.sign(f) * ((1.0 + mu) ** np.abs(f) - 1.0) / mu
''',
    "GatedResidualBlock": '''\
class GatedResidualBlock(nn.Module):
    def __init__(self, channels, skip_channels, kernel_size=2, dilation=1):
        super().__init__()
        self.kernel_size, self.dilation = kernel_size, dilation
        pad = (kernel_size - 1) * dilation
        self.filter_conv = nn.Conv1d(channels, channels, kernel_size, dilation=dilation, padding=pad)
        self.gate_conv = nn.Conv1d(channels, channels, kernel_size, dilation=dilation, padding=pad)
        self.residual_conv = nn.Conv1d(channels, channels, kernel_size=1)
        self.skip_conv = nn.Conv1d(channels, skip_channels, kernel_size=1)

    def forward(self, x):
        T = x.shape[1]
        h = x.permute(0, 2, 1)
        filt = self.filter_conv(h)[..., :T]  # padded at both ends: the first T outputs are causal
        gate = self.gate_conv(h)[..., :T]
        z = filt.tanh() * gate.sigmoid()
        skip = self.skip_conv(z)
        residual = self.residual_conv(z) + h
        return residual.permute(0, 2, 1), skip.permute(0, 2, 1)
''',
}

# A second correct convolution, vectorised with np.pad, from which the padding mistakes are made.
PADDED = '''\
def causal_conv1d(x, W, b, dilation=1):
    k, T = W.shape[0], x.shape[1]
    pad = (k - 1) * dilation
    xp = np.pad(x, ((0, 0), (pad, 0), (0, 0)))
    out = sum(xp[:, j * dilation:j * dilation + T] @ W[j] for j in range(k))
    return out + b
'''


def padded(*edits):
    source = PADDED
    for old, new in edits:
        assert old in source, f"{old!r} is not in the padded convolution"
        source = source.replace(old, new)
    return wrong(causal_conv1d=source)


wrong, mistake = variants_of(CORRECT)


SAMPLES = {
    "correct-alternative": dict(cells=CORRECT, lost=set(), says=[]),
    "correct-padded-convolution": dict(cells=padded(), lost=set(), says=[]),
    "untouched-stub": dict(cells={}, lost=ALL_TESTS, says=["not implemented yet"]),
    # Exercise 1: causal_conv1d
    "conv-same-padding": dict(
        cells=padded(("(pad, 0)", "(pad // 2, pad - pad // 2)")),
        lost=CONV, says=["the future"]),
    "conv-pads-k-minus-1": dict(
        cells=wrong(causal_conv1d="def causal_conv1d(x, W, b, dilation=1):\n"
                                  "    k = W.shape[0]\n"
                                  "    pad = k - 1\n"
                                  "    xp = np.pad(x, ((0, 0), (pad, 0), (0, 0)))\n"
                                  "    T_out = xp.shape[1] - (k - 1) * dilation  # the length of a 'valid' convolution\n"
                                  "    out = sum(xp[:, j * dilation:j * dilation + T_out] @ W[j] for j in range(k))\n"
                                  "    return out + b\n"),
        lost=CONV, says=["k - 1 = 1 zero was padded"]),
    "conv-taps-not-dilated": dict(
        cells=padded(("xp[:, j * dilation:j * dilation + T]", "xp[:, j:j + T]")),
        lost=CONV, says=["1 step apart"]),
    "conv-reversed-kernel": dict(
        cells=mistake("causal_conv1d", ("@ W[j]", "@ W[k - 1 - j]")),
        lost={"causal_conv1d_by_hand", "causal_conv1d_torch", "causal_conv1d_hidden"}, says=["reversed"]),
    "conv-drops-present-input": dict(
        cells=padded(("(pad, 0)", "(pad + dilation, 0)")),
        lost=CONV, says=["does not read x_t"]),
    "conv-negative-index-wraps": dict(
        cells=wrong(causal_conv1d="def causal_conv1d(x, W, b, dilation=1):\n"
                                  "    k = W.shape[0]\n"
                                  "    N, T, _ = x.shape\n"
                                  "    y = np.empty((N, T, W.shape[2]), dtype=x.dtype)\n"
                                  "    for t in range(T):\n"
                                  "        y[:, t] = b + sum(x[:, t - (k - 1 - j) * dilation] @ W[j] for j in range(k))\n"
                                  "    return y\n"),
        lost=CONV, says=["wrap around"]),
    "conv-always-float64": dict(
        cells=mistake("causal_conv1d", ("y = np.empty((N, T, W.shape[2]), dtype=x.dtype)", "y = np.empty((N, T, W.shape[2]))")),
        lost={"causal_conv1d_torch", "causal_conv1d_hidden"}, says=["dtype float64, expected float32"]),
    # Exercise 2: receptive_field
    "field-off-by-one": dict(
        cells=mistake("receptive_field", ("R = 1\n", "R = 0\n")),
        lost=FIELD, says=["one too few"]),
    "field-doubles-per-layer": dict(
        cells=wrong(receptive_field="def receptive_field(kernel_size, dilations):\n"
                                    "    return 2 ** len(dilations)  # 'the receptive field doubles with every layer'\n"),
        lost=FIELD, says=["2 ** (number of layers)"]),
    "field-k-times-d": dict(
        cells=mistake("receptive_field", ("(kernel_size - 1) * d", "kernel_size * d")),
        lost=FIELD, says=["not k d"]),
    # Exercise 3: is_causal
    "causal-perturbs-present": dict(
        cells=mistake("is_causal", ("layer(probe)[:, :u]", "layer(probe)[:, :u + 1]"), ("base[:, :u]", "base[:, :u + 1]")),
        lost=CAUSAL, says=["change only the inputs after t"]),
    "causal-one-step-only": dict(
        cells=mistake("is_causal", ("for u in range(1, T):", "for u in [T // 2]:")),
        lost={"is_causal_every_step", "is_causal_hidden"}, says=["try every t"]),
    "causal-changes-x-in-place": dict(
        cells=mistake("is_causal", ("probe = x.clone()", "probe = x")),
        lost=CAUSAL, says=["in place"]),
    "causal-zeroes-the-future": dict(  # a leak into inputs that are zero already goes unseen
        cells=mistake("is_causal", ("probe[:, u] = probe[:, u] + 1.0 + torch.rand_like(probe[:, u])", "probe[:, u:] = 0.0")),
        lost={"is_causal_basics"}, says=["Around x = 0"]),
    "causal-compares-later-outputs": dict(
        cells=mistake("is_causal", ("layer(probe)[:, :u] - base[:, :u]", "layer(probe)[:, u:] - base[:, u:]")),
        lost=CAUSAL, says=["is not causal, but it is"]),
    # Exercise 4: mu_law_encode
    "encode-no-sign": dict(
        cells=mistake("mu_law_encode", ("f = np.sign(x) * np.log10", "f = np.log10")),
        lost=ENCODE, says=["keep the sign"]),
    "encode-rounds-down": dict(
        cells=mistake("mu_law_encode", ("np.trunc((f + 1) * mu / 2 + 0.5)", "np.floor((f + 1) * mu / 2)")),
        lost=ENCODE, says=["rounded down"]),
    "encode-rounds-halves-to-even": dict(  # np.rint: right except at exact ties, such as x = 0 for mu = 5 or 9
        cells=mistake("mu_law_encode", ("np.trunc((f + 1) * mu / 2 + 0.5)", "np.rint((f + 1) * mu / 2)")),
        lost={"mu_law_encode_by_hand", "mu_law_encode_hidden"}, says=["halves to the even number"]),
    "encode-returns-int32": dict(
        cells=mistake("mu_law_encode", (".astype(np.int64)", ".astype(np.int32)")),
        lost={"mu_law_encode_by_hand"}, says=["the task asks for np.int64"]),
    "encode-mu-plus-one-levels": dict(
        cells=mistake("mu_law_encode", ("(f + 1) * mu / 2", "(f + 1) * (mu + 1) / 2")),
        lost=ENCODE, says=["not to"]),
    "encode-uniform": dict(
        cells=mistake("mu_law_encode", ("f = np.sign(x) * np.log10(1 + mu * np.abs(x)) / np.log10(1 + mu)", "f = x")),
        lost=ENCODE, says=["uniform quantisation"]),
    "encode-returns-floats": dict(
        cells=mistake("mu_law_encode", (".astype(np.int64)", "")),
        lost={"mu_law_encode_by_hand", "mu_law_encode_closed_form"}, says=[".astype(np.int64)"]),
    # Exercise 5: mu_law_decode
    "decode-skips-class-centre": dict(
        cells=mistake("mu_law_decode", ("np.asarray(q) * (2.0 / mu) - 1.0", "np.asarray(q) / mu")),
        lost=DECODE, says=["f = 2 q / mu - 1"]),
    "decode-no-sign": dict(
        cells=mistake("mu_law_decode", ("return np.sign(f) * ", "return ")),
        lost=DECODE, says=["keep the sign of f"]),
    "decode-exp": dict(
        cells=mistake("mu_law_decode", ("(1.0 + mu) ** np.abs(f)", "np.exp(np.abs(f))")),
        lost=DECODE, says=["not exp(|f|) - 1"]),
    # Exercise 6: GatedResidualBlock
    "block-gate-swapped": dict(
        cells=mistake("GatedResidualBlock", ("filt.tanh() * gate.sigmoid()", "filt.sigmoid() * gate.tanh()")),
        lost={"block_by_hand", "block_torch", "block_hidden"}, says=["swapped"]),
    "block-skip-after-sum": dict(
        cells=mistake("GatedResidualBlock", ("skip = self.skip_conv(z)", "skip = self.skip_conv(self.residual_conv(z) + h)")),
        lost={"block_by_hand", "block_torch", "block_hidden"}, says=["after the residual sum"]),
    "block-same-padding": dict(
        cells=mistake("GatedResidualBlock", ("dilation=dilation, padding=pad)", "dilation=dilation, padding='same')")),
        lost={"block_by_hand", "block_torch", "block_dependence", "block_hidden"}, says=["x_(t+1)"]),
    "block-keeps-last-outputs": dict(
        cells=mistake("GatedResidualBlock", ("self.filter_conv(h)[..., :T]", "self.filter_conv(h)[..., -T:]"),
                      ("self.gate_conv(h)[..., :T]", "self.gate_conv(h)[..., -T:]")),
        lost={"block_by_hand", "block_torch", "block_dependence", "block_hidden"}, says=["FIRST"]),
    "block-no-residual-input": dict(
        cells=mistake("GatedResidualBlock", ("residual = self.residual_conv(z) + h", "residual = self.residual_conv(z)")),
        lost={"block_by_hand", "block_torch", "block_hidden"}, says=["add the block's input"]),
    "block-pads-k-minus-1": dict(
        cells=mistake("GatedResidualBlock", ("pad = (kernel_size - 1) * dilation", "pad = kernel_size - 1")),
        lost=BLOCK, says=["x_(t+1)"]),
    "block-time-major-outputs": dict(
        cells=mistake("GatedResidualBlock", ("return residual.permute(0, 2, 1), skip.permute(0, 2, 1)", "return residual, skip")),
        lost=BLOCK - {"block_by_hand"}, says=["(N, C, T)"]),
    # Broken and hostile notebooks: zero on what they broke, the rest graded as usual.
    "syntax-error": dict(
        cells=wrong(receptive_field=CORRECT["receptive_field"].replace("):", ")", 1)),
        lost=FIELD, says=["SyntaxError"]),
    "infinite-loop": dict(
        cells=wrong(mu_law_decode="while True:\n    pass\n\n" + CORRECT["mu_law_decode"]),
        lost=DECODE, says=["not defined"]),
    "calls-sys-exit": dict(
        cells=wrong(mu_law_encode="import sys\nsys.exit('done for today')\n\n" + CORRECT["mu_law_encode"]),
        lost=ENCODE, says=["not defined"]),
    "edits-test-cells": dict(
        cells={**mistake("receptive_field", ("R = 1\n", "R = 0\n")),
               **{test: "pass  # tests removed by the student\n" for test in FIELD}},
        lost=FIELD, says=["one too few"]),
    "kills-its-kernel": dict(
        cells=wrong(is_causal="import os\nos._exit(1)\n"),
        lost=CAUSAL, says=["stopped the notebook's process", "is_causal is not defined"]),
    "corrupt-file": dict(raw='{"cells": [{"cell_type": "code", "source": "trunc', lost=ALL_TESTS,
                         says=["not a valid notebook"], failed=True),
}
