package muchat.server;

import muchat.cluster.RedisCluster;
import muchat.service.Cluster;

/** Chooses how this instance talks to the others: not at all, or through Redis. */
final class ClusterFactory {
    private ClusterFactory() {
    }

    static Cluster create(Config config) {
        return config.clusterMode() ? RedisCluster.connect(config.redis(), config.instanceId()) : Cluster.LOCAL;
    }
}
