"""What the build hands to the output stage: a batch of synthesized objects.

cdk8s-free, so that a process that never starts a jsii kernel (the parent of
a worker, see output/parallel.py) can receive and render batches.
"""

from __future__ import annotations

from dataclasses import dataclass

Identity = tuple[str, "str | None", str]  # (kind, namespace, name) of an object


@dataclass(frozen=True)
class Batch:
    """The objects of consecutive output files of one environment, synthesized
    by cdk8s together.

    env: the environment's directory in the output (conventions.env_dir).
    files: (path within ``env``, number of objects) in order; a count may be 0.
    identities: every object's identity, in the order generate created them.
    json: cdk8s's synthesis of those objects (``Chart.toJson``) as JSON text.
    """

    env: str
    files: tuple[tuple[str, int], ...]
    identities: tuple[Identity, ...]
    json: str

    def without_json(self) -> Batch:
        """The same batch, its synthesis dropped (sent once it is rendered)."""
        return Batch(self.env, self.files, self.identities, "")
