using Prometheus;

namespace Neutrinet.RadiusBackend.Observability;

/// <summary>Every metric the service exports, in one place so names and labels stay consistent.</summary>
public static class BackendMetrics
{
    // Declared first (static fields initialise in order): every metric below is created through it. Exemplars are only
    // exported in the OpenMetrics format, which the scrape does not ask for; looking for a trace context on every
    // observation would be paid on each login for nothing.
    static readonly MetricFactory Factory = CreateFactory();

    static MetricFactory CreateFactory()
    {
        var factory = (MetricFactory)Metrics.WithCustomRegistry(Metrics.DefaultRegistry);
        factory.ExemplarBehavior = ExemplarBehavior.NoExemplars();
        return factory;
    }

    static readonly double[] LatencyBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    public static readonly Counter RadiusRequests = Factory.CreateCounter(
        "neutrinet_radius_requests_total", "rlm_rest calls answered, by section and result.",
        new CounterConfiguration { LabelNames = ["section", "result"] });

    public static readonly Counter RadiusRejects = Factory.CreateCounter(
        "neutrinet_radius_rejects_total", "Access rejections decided by the backend, by reason.",
        new CounterConfiguration { LabelNames = ["reason"] });

    public static readonly Histogram RadiusDuration = Factory.CreateHistogram(
        "neutrinet_radius_request_duration_seconds", "Time spent answering an rlm_rest call, by section.",
        new HistogramConfiguration { LabelNames = ["section"], Buckets = LatencyBuckets });

    public static readonly Counter CacheInvalidationsReceived = Factory.CreateCounter(
        "neutrinet_member_cache_invalidations_received_total",
        "Member cache invalidations received from other instances (and this one) on the Redis channel.");

    public static readonly Counter CacheLookups = Factory.CreateCounter(
        "neutrinet_member_cache_lookups_total", "Member cache lookups by layer (memory, redis) and outcome (hit, miss, error).",
        new CounterConfiguration { LabelNames = ["layer", "outcome"] });

    public static readonly Counter StaleServed = Factory.CreateCounter(
        "neutrinet_member_cache_stale_served_total", "Lookups answered from a cached entry past its freshness because LDAP was unavailable.");

    public static readonly Histogram LdapDuration = Factory.CreateHistogram(
        "neutrinet_ldap_operation_duration_seconds", "LDAP operation latency, by operation.",
        new HistogramConfiguration { LabelNames = ["operation"], Buckets = LatencyBuckets });

    public static readonly Histogram LoginReadBatchSize = Factory.CreateHistogram(
        "neutrinet_login_read_batch_size", "Member lookups answered per batched read (a reconnect storm batches), by store.",
        new HistogramConfiguration { LabelNames = ["store"], Buckets = [1, 2, 4, 8, 16, 32] });

    public static readonly Counter LdapErrors = Factory.CreateCounter(
        "neutrinet_ldap_errors_total", "LDAP failures, by kind (transport, timeout, circuit_open, result).",
        new CounterConfiguration { LabelNames = ["kind"] });

    public static readonly Histogram RedisDuration = Factory.CreateHistogram(
        "neutrinet_redis_operation_duration_seconds", "Redis operation latency, by operation.",
        new HistogramConfiguration { LabelNames = ["operation"], Buckets = LatencyBuckets });

    public static readonly Counter RedisErrors = Factory.CreateCounter(
        "neutrinet_redis_errors_total", "Redis failures, by operation.",
        new CounterConfiguration { LabelNames = ["operation"] });

    public static readonly Gauge ActiveSessions = Factory.CreateGauge(
        "neutrinet_accounting_active_sessions", "Open VPN sessions known to accounting.");

    public static readonly Counter AccountingRecords = Factory.CreateCounter(
        "neutrinet_accounting_records_total", "Accounting records by status type and outcome (stored, duplicate, failed).",
        new CounterConfiguration { LabelNames = ["status", "outcome"] });

    public static readonly Counter AccountingOctets = Factory.CreateCounter(
        "neutrinet_accounting_octets_total", "Octets reported by closed sessions, by direction (input, output) as seen by the NAS.",
        new CounterConfiguration { LabelNames = ["direction"] });

    public static readonly Counter SimultaneousUseUnchecked = Factory.CreateCounter(
        "neutrinet_radius_simultaneous_use_unchecked_total", "Logins accepted without a simultaneous-use check because Redis was unavailable.");

    public static readonly Counter LoginOutcomesDropped = Factory.CreateCounter(
        "neutrinet_login_outcomes_dropped_total", "Last-login records dropped because the writer queue was full or Redis failed.");
}
