"""Metric names of the exporters every cluster of the platform runs, as data.

An expression (alert or dashboard query) may name any of these without the
catalogue declaring it. Keep one tuple per exporter, sorted; add a name here
when a new exporter metric is needed, not in the checks.
"""

from __future__ import annotations

PROMETHEUS = (  # series Prometheus itself writes for every target and alert
    "ALERTS",
    "ALERTS_FOR_STATE",
    "scrape_duration_seconds",
    "scrape_samples_post_metric_relabeling",
    "scrape_samples_scraped",
    "scrape_series_added",
    "up",
)

KUBE_STATE_METRICS = (  # kube-state-metrics 2.x
    "kube_deployment_created",
    "kube_deployment_labels",
    "kube_deployment_metadata_generation",
    "kube_deployment_spec_replicas",
    "kube_deployment_status_observed_generation",
    "kube_deployment_status_replicas",
    "kube_deployment_status_replicas_available",
    "kube_deployment_status_replicas_unavailable",
    "kube_deployment_status_replicas_updated",
    "kube_horizontalpodautoscaler_info",
    "kube_horizontalpodautoscaler_labels",
    "kube_horizontalpodautoscaler_spec_max_replicas",
    "kube_horizontalpodautoscaler_spec_min_replicas",
    "kube_horizontalpodautoscaler_spec_target_metric",
    "kube_horizontalpodautoscaler_status_condition",
    "kube_horizontalpodautoscaler_status_current_replicas",
    "kube_horizontalpodautoscaler_status_desired_replicas",
    "kube_horizontalpodautoscaler_status_target_metric",
    "kube_job_failed",
    "kube_job_status_active",
    "kube_job_status_failed",
    "kube_job_status_succeeded",
    "kube_namespace_labels",
    "kube_namespace_status_phase",
    "kube_node_info",
    "kube_node_labels",
    "kube_node_spec_unschedulable",
    "kube_node_status_allocatable",
    "kube_node_status_capacity",
    "kube_node_status_condition",
    "kube_persistentvolume_capacity_bytes",
    "kube_persistentvolumeclaim_info",
    "kube_persistentvolumeclaim_status_phase",
    "kube_pod_container_info",
    "kube_pod_container_resource_limits",
    "kube_pod_container_resource_requests",
    "kube_pod_container_status_last_terminated_reason",
    "kube_pod_container_status_ready",
    "kube_pod_container_status_restarts_total",
    "kube_pod_container_status_running",
    "kube_pod_container_status_terminated_reason",
    "kube_pod_container_status_waiting_reason",
    "kube_pod_info",
    "kube_pod_labels",
    "kube_pod_owner",
    "kube_pod_status_phase",
    "kube_pod_status_ready",
    "kube_replicaset_owner",
    "kube_service_info",
    "kube_statefulset_replicas",
    "kube_statefulset_status_replicas",
    "kube_statefulset_status_replicas_ready",
)

KAFKA_EXPORTER = (  # danielqsj/kafka-exporter
    "kafka_broker_info",
    "kafka_brokers",
    "kafka_consumergroup_current_offset",
    "kafka_consumergroup_current_offset_sum",
    "kafka_consumergroup_lag",
    "kafka_consumergroup_lag_sum",
    "kafka_consumergroup_members",
    "kafka_topic_partition_current_offset",
    "kafka_topic_partition_in_sync_replica",
    "kafka_topic_partition_leader",
    "kafka_topic_partition_leader_is_preferred",
    "kafka_topic_partition_oldest_offset",
    "kafka_topic_partition_replicas",
    "kafka_topic_partition_under_replicated_partition",
    "kafka_topic_partitions",
)

KEDA = (  # KEDA 2.13 operator (keda.sh/docs/2.13/integrations/prometheus)
    "keda_build_info",
    "keda_internal_scale_loop_latency",
    "keda_resource_totals",
    "keda_scaled_job_errors",
    "keda_scaled_object_errors",
    "keda_scaled_object_paused",
    "keda_scaler_active",
    "keda_scaler_errors",
    "keda_scaler_errors_total",
    "keda_scaler_metrics_latency",
    "keda_scaler_metrics_value",
    "keda_trigger_totals",
)

KUBELET = (  # kubelet and its embedded cAdvisor
    "container_cpu_cfs_periods_total",
    "container_cpu_cfs_throttled_periods_total",
    "container_cpu_usage_seconds_total",
    "container_fs_usage_bytes",
    "container_last_seen",
    "container_memory_rss",
    "container_memory_usage_bytes",
    "container_memory_working_set_bytes",
    "container_network_receive_bytes_total",
    "container_network_transmit_bytes_total",
    "container_oom_events_total",
    "container_spec_cpu_quota",
    "container_spec_memory_limit_bytes",
    "kubelet_running_containers",
    "kubelet_running_pods",
    "kubelet_volume_stats_available_bytes",
    "kubelet_volume_stats_capacity_bytes",
    "kubelet_volume_stats_used_bytes",
)

KUBE_PROMETHEUS_RULES = (  # recording rules kube-prometheus-stack ships
    "node_namespace_pod_container:container_cpu_usage_seconds_total:sum_irate",
    "node_namespace_pod_container:container_cpu_usage_seconds_total:sum_rate5m",
    "node_namespace_pod_container:container_memory_rss",
    "node_namespace_pod_container:container_memory_working_set_bytes",
)

NODE_EXPORTER = (
    "node_cpu_seconds_total",
    "node_filesystem_avail_bytes",
    "node_filesystem_size_bytes",
    "node_load1",
    "node_memory_MemAvailable_bytes",
    "node_memory_MemTotal_bytes",
)

KUBECOST = (  # Kubecost cost-model
    "container_cpu_allocation",
    "container_gpu_allocation",
    "container_memory_allocation_bytes",
    "kubecost_cluster_info",
    "kubecost_cluster_management_cost",
    "kubecost_load_balancer_cost",
    "kubecost_network_internet_egress_cost",
    "kubecost_network_region_egress_cost",
    "kubecost_network_zone_egress_cost",
    "node_cpu_hourly_cost",
    "node_gpu_hourly_cost",
    "node_ram_hourly_cost",
    "node_total_hourly_cost",
    "pod_pvc_allocation",
    "pv_hourly_cost",
)

EXPORTERS: dict[str, tuple[str, ...]] = {
    "prometheus": PROMETHEUS,
    "kube-state-metrics": KUBE_STATE_METRICS,
    "kafka-exporter": KAFKA_EXPORTER,
    "keda": KEDA,
    "kubelet": KUBELET,
    "kube-prometheus-stack rules": KUBE_PROMETHEUS_RULES,
    "node-exporter": NODE_EXPORTER,
    "kubecost": KUBECOST,
}

WELL_KNOWN: frozenset[str] = frozenset(name for names in EXPORTERS.values() for name in names)

# Labels Prometheus (through prometheus-operator) adds to every scraped series.
TARGET_LABELS: frozenset[str] = frozenset(
    {"__name__", "container", "endpoint", "instance", "job", "namespace", "pod", "service"}
)
