"""Parts of the catalogue's schema (schema.py assembles them): the alert receivers,
the teams' receivers, and the Argo CD settings."""

from __future__ import annotations

from opsgen import conventions as conv
from opsgen.catalogue.value_types import MESSAGES, NAME, SECRET_KEY, URL, _doc, _obj

RECEIVER = _obj(
    {
        "pagerduty": _obj(
            {
                "secret": _doc(NAME, "Secret in the Prometheus namespace holding the PagerDuty routing key."),
                "key": _doc(SECRET_KEY, "Key of the Secret that holds the routing key."),
            },
            ("secret", "key"),
        ),
        "slack": _obj(
            {
                "secret": _doc(NAME, "Secret in the Prometheus namespace holding the Slack webhook URL."),
                "key": _doc(SECRET_KEY, "Key of the Secret that holds the webhook URL."),
                "channel": {"type": "string", "minLength": 1, "description": "Slack channel, e.g. #platform-alerts."},
            },
            ("secret", "key", "channel"),
        ),
    },
    minProperties=1,
    maxProperties=1,
    title="receiver",
    description="Exactly one of pagerduty or slack.",
)

# platform.alerting.teams ("Additions, round 3"): a team's receivers, routed on team before the platform's
_TEAM_RECEIVER = {
    sev: _doc({"$ref": "#/definitions/receiver"}, f"Where this team's {sev} alerts go, before platform.alerting.{sev}.")
    for sev in ("page", "warn")
}
TEAM_ALERTING = _doc(
    {
        "type": "object",
        "propertyNames": NAME,
        "additionalProperties": _obj(_TEAM_RECEIVER, minProperties=1, title="team receivers"),
    },
    "Receivers per team (a team of the catalogue's services or alerts), matched on the alerts' team label before "
    "platform.alerting.page and .warn; a severity a team does not name goes to the platform's receiver.",
)

# -- Argo CD: platform.argocd, environments.<env>.argocd (docs/ops.md, "Argo CD") --
REPO_URL = {
    "title": "repository URL",
    "type": "string",
    "pattern": r"^((https?|ssh)://[^\s]+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+)$",
    "description": "A git clone URL: https://, ssh:// or user@host:path.",
}
MESSAGES["repository URL"] = "a git clone URL: https://host/path, ssh://host/path or user@host:path"
MESSAGES["repository path"] = (
    "a folder of the repository, relative to its root, such as dist: no spaces, no '.' or '..' parts"
)
ARGOCD = _obj(
    {
        "repoURL": _doc(
            REPO_URL, "Clone URL of this catalogue's repository; without it no Argo CD objects are written."
        ),
        "project": _doc(NAME, "The AppProject opsgen writes and the Applications use; default the platform name."),
        "namespace": _doc(NAME, "Namespace of the Argo CD objects.", conv.ARGOCD_NAMESPACE),
        "path": _doc(
            {
                "title": "repository path",
                "type": "string",
                "minLength": 1,
                "pattern": r"^(?!/)(?!.*(^|/)\.\.?(/|$))[^\s]+$",
            },
            "Path of the output directory in the repository.",
            conv.ARGOCD_PATH,
        ),
    },
    description="The Argo CD objects in dist/"
    + conv.ARGOCD_DIR
    + "/: one Application per environment and their AppProject.",
)
ARGOCD_ENVIRONMENT = _obj(
    {
        "cluster": _obj(
            {
                "server": _doc(URL, "API server URL of the cluster, as Argo CD knows it."),
                "name": _doc({"type": "string", "minLength": 1}, "Name of the cluster, as registered in Argo CD."),
            },
            minProperties=1,
            maxProperties=1,
            description="Exactly one of server or name; default server " + conv.IN_CLUSTER_SERVER + ".",
        ),
        "targetRevision": _doc(
            {"type": "string", "minLength": 1},
            "Git revision (branch, tag, commit) the environment tracks: promotion is moving it.",
            conv.TARGET_REVISION,
        ),
    },
    description="Where Argo CD applies this environment's output, and from which revision.",
)
