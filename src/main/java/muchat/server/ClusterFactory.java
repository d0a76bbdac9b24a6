package muchat.server;

import muchat.service.Cluster;

/** Chooses how this instance talks to the others: not at all, or through Redis. */
final class ClusterFactory {
    private ClusterFactory() {
    }

    static Cluster create(Config config) {
        if (!config.clusterMode()) {
            return Cluster.LOCAL;
        }
        throw new IllegalArgumentException("cluster mode (--redis) is not built into this version yet");
    }
}
