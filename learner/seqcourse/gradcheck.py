"""Centred finite differences of a torch module's parameters, for test cells.

Chapter 04 checked numpy gradients against centred differences, (f(w + eps) - f(w - eps)) / (2 eps),
whose error shrinks as eps^2. `parameter_differences` does the same for every entry of every
parameter of a torch module, with the loss that `seqcourse.checks.forward_and_gradients` uses,
L = sum(output * output_weights), so the two can be compared entry by entry. It runs next to the
module (`beside_student`): while grading, the module stays in the learner's process and only the
numbers come back. Use float64 modules and inputs: in float32 a centred difference is good to
about 1e-4 at best.
"""
from seqcourse.checks import beside_student, fail


@beside_student
def parameter_differences(module, inputs: tuple, output_weights, eps: float = 1e-6) -> dict:
    """{parameter name: centred differences of L = sum(module(*inputs)[0] * output_weights)}.

    Each entry of each parameter is moved by +eps and -eps in place and put back, so the module
    ends as it started. The output is the module's first result if it returns several.
    """
    import torch

    weights = None

    def loss() -> float:
        nonlocal weights
        result = module(*inputs)
        output = result[0] if isinstance(result, (tuple, list)) else result
        if not isinstance(output, torch.Tensor):
            fail(f"the module returned {type(output).__name__}, expected a tensor.")
        if weights is None:
            weights = torch.as_tensor(output_weights, dtype=output.dtype)
            if tuple(weights.shape) != tuple(output.shape):
                fail(f"the module's output has shape {tuple(output.shape)}, expected {tuple(weights.shape)}.")
        return float((output.detach() * weights).sum())

    differences = {}
    with torch.no_grad():
        for name, parameter in module.named_parameters():
            numeric = torch.zeros_like(parameter, dtype=torch.float64)
            flat = parameter.view(-1)
            for index in range(flat.numel()):
                old = flat[index].item()
                flat[index] = old + eps
                plus = loss()
                flat[index] = old - eps
                minus = loss()
                flat[index] = old
                numeric.view(-1)[index] = (plus - minus) / (2 * eps)
            differences[name] = numeric
    return differences
