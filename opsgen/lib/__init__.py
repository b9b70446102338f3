"""opsgen's construct library: one cdk8s construct per output kind, one file each.

Each construct takes a frozen props dataclass (defaults documented on its
fields), checks the props in its constructor, and becomes exactly one cdk8s
ApiObject whose whole body crosses the jsii bridge in one JSON patch per
top-level key.
"""
from .base import Manifest, ObjectMeta
from .hpa import HorizontalPodAutoscaler, HpaProps
from .namespace import Namespace, NamespaceProps
from .pod_monitor import PodMonitor, PodMonitorProps
from .scaled_object import KafkaTrigger, ScaledObject, ScaledObjectProps
from .service_monitor import Endpoint, ServiceMonitor, ServiceMonitorProps
from .trigger_authentication import TriggerAuthentication, TriggerAuthenticationProps

__all__ = [
    "Endpoint",
    "HorizontalPodAutoscaler",
    "HpaProps",
    "KafkaTrigger",
    "Manifest",
    "Namespace",
    "NamespaceProps",
    "ObjectMeta",
    "PodMonitor",
    "PodMonitorProps",
    "ScaledObject",
    "ScaledObjectProps",
    "ServiceMonitor",
    "ServiceMonitorProps",
    "TriggerAuthentication",
    "TriggerAuthenticationProps",
]
