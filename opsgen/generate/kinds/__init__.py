"""opsgen's construct library: one cdk8s construct per output kind, one file each.

Each construct takes a frozen props dataclass (defaults documented on its
fields), checks the props in its constructor, and becomes exactly one cdk8s
ApiObject; a chart's objects cross to cdk8s together, in one jsii call
(base.Manifest, base.take_pending; opsgen/synth/engine.py).
"""

from opsgen.generate.kinds.alertmanager_config import (
    AlertmanagerConfig,
    AlertmanagerConfigProps,
    InhibitRule,
    Matcher,
    Message,
    Receiver,
    Route,
    SecretRef,
)
from opsgen.generate.kinds.app_project import AppProject, AppProjectProps
from opsgen.generate.kinds.application import Application, ApplicationProps, Destination, Retry
from opsgen.generate.kinds.base import (
    Manifest,
    ObjectMeta,
    Pending,
    Stock,
    created,
    inventory,
    pending_size,
    take_pending,
)
from opsgen.generate.kinds.dashboard_config_map import DashboardConfigMap, DashboardConfigMapProps
from opsgen.generate.kinds.hpa import HorizontalPodAutoscaler, HpaProps
from opsgen.generate.kinds.namespace import Namespace, NamespaceProps
from opsgen.generate.kinds.pod_monitor import PodMonitor, PodMonitorProps
from opsgen.generate.kinds.prometheus_rule import PrometheusRule, PrometheusRuleProps, Rule, RuleGroup
from opsgen.generate.kinds.scaled_object import KafkaTrigger, ScaledObject, ScaledObjectProps
from opsgen.generate.kinds.service_monitor import Endpoint, ServiceMonitor, ServiceMonitorProps
from opsgen.generate.kinds.trigger_authentication import TriggerAuthentication, TriggerAuthenticationProps

__all__ = [
    "AppProject",
    "AppProjectProps",
    "Application",
    "ApplicationProps",
    "Destination",
    "Retry",
    "inventory",
    "Stock",
    "AlertmanagerConfig",
    "AlertmanagerConfigProps",
    "DashboardConfigMap",
    "DashboardConfigMapProps",
    "Endpoint",
    "HorizontalPodAutoscaler",
    "HpaProps",
    "InhibitRule",
    "KafkaTrigger",
    "Manifest",
    "Matcher",
    "Message",
    "Namespace",
    "NamespaceProps",
    "ObjectMeta",
    "Pending",
    "PodMonitor",
    "PodMonitorProps",
    "PrometheusRule",
    "PrometheusRuleProps",
    "Receiver",
    "Route",
    "Rule",
    "RuleGroup",
    "ScaledObject",
    "ScaledObjectProps",
    "SecretRef",
    "ServiceMonitor",
    "ServiceMonitorProps",
    "created",
    "pending_size",
    "take_pending",
    "TriggerAuthentication",
    "TriggerAuthenticationProps",
]
