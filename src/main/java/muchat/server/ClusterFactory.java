package muchat.server;

import muchat.cluster.RedisAddress;
import muchat.cluster.RedisCluster;
import muchat.service.OtherInstances;

/** Chooses how this instance talks to the others: not at all, or through Redis. */
final class ClusterFactory {
    private ClusterFactory() {
    }

    static OtherInstances create(Config config) {
        return config.clusterMode() ? RedisCluster.connect(config.redis(), config.instanceId()) : OtherInstances.NONE;
    }

    /** The Redis address for a log line, its password masked; "off" outside cluster mode. */
    static String describe(Config config) {
        return config.clusterMode() ? RedisAddress.parse(config.redis()).toString() : "off";
    }
}
