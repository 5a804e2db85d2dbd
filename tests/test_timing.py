"""seqcourse.timing: the timed-spikes task has the spikes it promises, spikes_exact judges them, and
packing networks into one module trains them exactly as separately."""
import copy

import numpy as np
import pytest
import torch

from grader.reference import load_reference
from seqcourse.timing import PackedSpikeNets, SpikeReadout, spikes_exact, timed_spikes

PeepholeLSTM = load_reference("07_peephole").PeepholeLSTM


@pytest.mark.parametrize("period, length, N", [(6, 24, 1), (1, 5, 2), (4, 3, 3), (5, 21, 2)])
def test_timed_spikes(period, length, N):
    inputs, targets = timed_spikes(period, length, num_sequences=N)
    assert inputs.shape == (N, length, 1) and targets.shape == (N, length)
    assert inputs.dtype == np.float32 and targets.dtype == np.float32
    assert np.all(inputs[:, 0, 0] == 1) and np.all(inputs[:, 1:] == 0)
    expected = [t for t in range(1, length) if t % period == 0]
    for n in range(N):
        assert list(np.flatnonzero(targets[n])) == expected
    assert timed_spikes(3, 7, dtype=np.float64)[0].dtype == np.float64
    with pytest.raises(ValueError):
        timed_spikes(0, 5)


def test_spikes_exact():
    targets = np.array([[0, 1, 0, 1]], dtype=np.float32)
    assert spikes_exact(np.array([[-1.0, 2.0, -3.0, 0.5]]), targets).tolist() == [True]
    assert spikes_exact(np.array([[-1.0, 2.0, 0.1, 0.5]]), targets).tolist() == [False]   # a spike too many
    assert spikes_exact(np.array([[-1.0, -2.0, -3.0, 0.5]]), targets).tolist() == [False]  # one missing
    logits = torch.tensor([[[-1.0, -1.0], [1.0, -1.0], [-1.0, -1.0], [1.0, 1.0]]])  # (N, T, S)
    assert spikes_exact(logits, torch.from_numpy(targets)).tolist() == [True, False]


def test_spike_readout_shapes():
    model = SpikeReadout(torch.nn.LSTM(2, 3, batch_first=True), 3)
    assert model(torch.zeros(4, 5, 2)).shape == (4, 5)
    model = SpikeReadout(PeepholeLSTM(2, 3).double(), 3)
    assert model(torch.zeros(1, 5, 2, dtype=torch.float64)).dtype == torch.float64


def standalone(packed, s, peepholes):
    """Network s of a PackedSpikeNets, copied out into its own PeepholeLSTM and read-out."""
    S, H = packed.num_networks, packed.hidden_size
    params = dict(packed.recurrent.named_parameters())
    net = PeepholeLSTM(params["W_x"].shape[0], H)
    columns = torch.cat([torch.arange(q * S * H + s * H, q * S * H + (s + 1) * H) for q in range(4)])
    rows = torch.arange(s * H, (s + 1) * H)
    with torch.no_grad():
        net.W_x.copy_(params["W_x"][:, columns])
        net.W_h.copy_(params["W_h"][rows][:, columns])
        net.b.copy_(params["b"][columns])
        for name in ["p_i", "p_f", "p_o"]:
            getattr(net, name).copy_(params[name][rows])
    for name in ["p_i", "p_f", "p_o"]:
        getattr(net, name).requires_grad_(peepholes)
    readout_w = torch.nn.Parameter(packed.readout_weight[s].detach().clone())
    readout_b = torch.nn.Parameter(packed.readout_bias[s].detach().clone())
    return net, readout_w, readout_b


def test_packed_networks_train_as_separate_networks():
    torch.set_default_dtype(torch.float64)
    try:
        H, seeds, flags = 3, [4, 7, 4], [False, True, True]
        packed = PackedSpikeNets(PeepholeLSTM(1, len(seeds) * H), H, seeds, flags)
        inputs, targets = (torch.from_numpy(a) for a in timed_spikes(3, 9, dtype=np.float64))
        separate = [standalone(packed, s, flags[s]) for s in range(len(seeds))]
        # equal seeds give equal starting weights
        np.testing.assert_array_equal(separate[0][0].W_h.detach().numpy(), separate[2][0].W_h.detach().numpy())
        optimizer = torch.optim.Adam(packed.parameters(), lr=0.05)
        for _ in range(6):
            logits = packed(inputs)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logits, targets[..., None].expand_as(logits), reduction="none").mean(dim=(0, 1)).sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        for s, (net, w, b) in enumerate(separate):
            params = [p for p in net.parameters() if p.requires_grad] + [w, b]
            optimizer = torch.optim.Adam(params, lr=0.05)
            for _ in range(6):
                logits = net(inputs)[0] @ w + b
                loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, targets)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            moved, _, _ = standalone(packed, s, flags[s])
            for name in ["W_x", "W_h", "b", "p_i", "p_f", "p_o"]:
                np.testing.assert_allclose(getattr(moved, name).detach().numpy(), getattr(net, name).detach().numpy(),
                                           rtol=1e-7, atol=1e-9, err_msg=f"network {s}, {name}")
            np.testing.assert_allclose(packed.readout_weight[s].detach().numpy(), w.detach().numpy(), rtol=1e-7, atol=1e-9)
        # the weights between networks and the plain network's peepholes never moved from zero
        W_h = packed.recurrent.W_h.detach()
        unit = torch.arange(len(seeds) * H) // H
        assert torch.all(W_h[unit[:, None] != unit.repeat(4)[None, :]] == 0)
        assert torch.all(packed.recurrent.p_o.detach()[:H] == 0)
        assert torch.any(packed.recurrent.p_o.detach()[H:] != 0)
    finally:
        torch.set_default_dtype(torch.float32)
