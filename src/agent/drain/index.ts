/** The kubelet's wait, before stopping a deleted pod, for its address to leave every node's data path. */
export { createDrainer, DrainMetrics, PEER_SLACK_MS, waitUnrouted, type DrainResult } from './drainer.js';
export { PeerClient, PeerError, peerOf, ProxyNodes, type DrainPeer, type PeerCredentials } from './peers.js';
