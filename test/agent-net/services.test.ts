/**
 * Issue 5 acceptance, Services on real pods: a Deployment of 3 web pods (each answers with its own
 * name) behind a ClusterIP Service takes 300 requests from a client pod and every pod answers some,
 * by IP and by DNS name; the same through a NodePort from the host and through a LoadBalancer's
 * EXTERNAL-IP; sessionAffinity ClientIP pins a client to one pod; a pod failing readiness leaves the
 * rotation and comes back; scaled to 0 the Service refuses connections at once. A LoadBalancer with
 * externalTrafficPolicy Local has its health-check node port answered on the node (200 with local
 * endpoints, 503 without), as upstream's kube-proxy does; one with loadBalancerSourceRanges answers
 * only sources in its ranges.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlOk } from '../support/kubectl.js';
import { apply, waitRunningReady } from '../support/node.js';
import { pollUntil } from '../support/poll.js';
import {
  NODE_IP,
  WAIT_MS,
  clientPod,
  dropNamespaces,
  getService,
  hostGet,
  livePods,
  newNamespace,
  readyEndpoints,
  requestsFromHost,
  requestsFromPod,
  service,
  sh,
  shOk,
  showTally,
  startNetNode,
  stopNetNode,
  waitEndpoints,
  waitHostAnswers,
  waitPodAnswers,
  waitWebPods,
  webDeployment,
  type NetNode,
} from './support.js';

const REQUESTS = 300;

let net: NetNode;
let ns: string;
let pods: string[];
let clusterIP: string;
let nodePort: number;

beforeAll(async () => {
  net = await startNetNode();
  ns = await newNamespace(net, 'svc');
  await apply(net.node, [
    webDeployment(ns, 'web', 3),
    service(ns, 'web'),
    service(ns, 'web-np', { type: 'NodePort' }, 'web'),
    service(
      ns,
      'web-lb',
      { type: 'LoadBalancer', ports: [{ name: 'http', port: 8088, targetPort: 'http' }] },
      'web',
    ),
    service(
      ns,
      'web-local',
      {
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Local',
        ports: [{ name: 'http', port: 8089, targetPort: 'http' }],
      },
      'web',
    ),
    service(
      ns,
      'web-fw',
      {
        type: 'LoadBalancer',
        loadBalancerSourceRanges: [net.node.clusterCidr],
        ports: [{ name: 'http', port: 8090, targetPort: 'http' }],
      },
      'web',
    ),
    service(ns, 'web-sticky', { sessionAffinity: 'ClientIP' }, 'web'),
    clientPod(net.node, ns),
  ]);
  pods = await waitWebPods(net.node, ns, 'web', 3);
  await waitRunningReady(net.node, ns, 'client', WAIT_MS);
  await waitEndpoints(net.node, ns, 'web', 3);
  const svc = await getService(net.node, ns, 'web');
  clusterIP = svc.spec?.clusterIP ?? '';
  const np = await getService(net.node, ns, 'web-np');
  nodePort = np.spec?.ports?.[0]?.nodePort ?? 0;
  expect(clusterIP).toMatch(/^10\.43\./);
  expect(nodePort).toBeGreaterThanOrEqual(30000);
});

afterAll(async () => {
  await stopNetNode(net);
});

/** The distinct pod names that answered. */
const answered = (t: { answers: Map<string, number> }): string[] => [...t.answers.keys()].sort();

describe('Services on real pods', () => {
  it(`balances ${REQUESTS} requests to a ClusterIP over all 3 pods`, async () => {
    const url = `http://${clusterIP}:80/`;
    await waitPodAnswers(net.node, ns, 'client', url);
    const t = await requestsFromPod(net.node, ns, 'client', url, REQUESTS);
    expect(t.failed, showTally(t)).toBe(0);
    expect(t.total, showTally(t)).toBe(REQUESTS);
    expect(answered(t), showTally(t)).toEqual(pods);
  });

  it(`balances ${REQUESTS} requests to the Service's DNS name over all 3 pods`, async () => {
    await waitPodAnswers(net.node, ns, 'client', 'http://web/');
    const t = await requestsFromPod(net.node, ns, 'client', 'http://web/', REQUESTS);
    expect(t.failed, showTally(t)).toBe(0);
    expect(answered(t), showTally(t)).toEqual(pods);
    const fqdn = await requestsFromPod(net.node, ns, 'client', `http://web.${ns}.svc.cluster.local/`, 30);
    expect(fqdn.failed, showTally(fqdn)).toBe(0);
  });

  it(`balances ${REQUESTS} requests from the host to a NodePort over all 3 pods`, async () => {
    const url = `http://${NODE_IP}:${nodePort}/`;
    await waitHostAnswers(`NodePort ${url} to answer from the host`, url);
    const t = await requestsFromHost(url, REQUESTS);
    expect(t.failed, showTally(t)).toBe(0);
    expect(answered(t), showTally(t)).toEqual(pods);
    // The NodePort also answers from a pod (to the node's address).
    expect(pods).toContain(await waitPodAnswers(net.node, ns, 'client', url));
  });

  it('gives a LoadBalancer Service the node address as EXTERNAL-IP, which answers', async () => {
    const row = await pollUntil(
      'service web-lb to show an EXTERNAL-IP',
      () => kubectlOk(net.node, ['get', 'service', 'web-lb', '-n', ns, '--no-headers']),
      (out) => out.split(/\s+/)[3] === NODE_IP,
      { timeoutMs: WAIT_MS, intervalMs: 500 },
    );
    expect(row).toMatch(
      new RegExp(
        `^web-lb\\s+LoadBalancer\\s+10\\.43\\.\\S+\\s+${NODE_IP.replace(/\./g, '\\.')}\\s+8088:3\\d{4}/TCP\\s`,
      ),
    );
    const lb = await getService(net.node, ns, 'web-lb');
    expect(lb.status?.loadBalancer?.ingress).toEqual([expect.objectContaining({ ip: NODE_IP })]);
    const url = `http://${NODE_IP}:8088/`;
    await waitHostAnswers(`the LoadBalancer ${url} to answer from the host`, url);
    const t = await requestsFromHost(url, 60);
    expect(t.failed, showTally(t)).toBe(0);
    expect(answered(t), showTally(t)).toEqual(pods);
  });

  it('answers the health-check node port of a LoadBalancer with externalTrafficPolicy Local', async () => {
    const hcnp = (await getService(net.node, ns, 'web-local')).spec?.healthCheckNodePort ?? 0;
    expect(hcnp).toBeGreaterThanOrEqual(30000);
    const r = await pollUntil(
      'the health check to count 3 local endpoints',
      () => hostGet(`http://${NODE_IP}:${hcnp}/`),
      (v) => 'status' in v && v.status === 200 && v.body.includes('"localEndpoints": 3'),
      { timeoutMs: WAIT_MS, intervalMs: 250 },
    );
    expect('body' in r && JSON.parse(r.body)).toEqual({
      service: { namespace: ns, name: 'web-local' },
      localEndpoints: 3,
      serviceProxyHealthy: true,
    });
    // Local policy: the LoadBalancer address answers from the pods of this node.
    const url = `http://${NODE_IP}:8089/`;
    await waitHostAnswers(`the Local LoadBalancer ${url} to answer`, url);
  });

  it('lets only sources in loadBalancerSourceRanges reach the load-balancer address', async () => {
    const url = `http://${NODE_IP}:8090/`;
    // A pod (from the cluster CIDR, the only range) gets answers.
    expect(pods).toContain(await waitPodAnswers(net.node, ns, 'client', url));
    // The node itself (10.250.0.1, outside it): the connection attempt is dropped, not refused.
    const r = await hostGet(url, {}, 2000);
    expect(r).toEqual({ error: 'ETIMEDOUT' });
    // The same Service's NodePort stays open to everyone (as upstream).
    const np = (await getService(net.node, ns, 'web-fw')).spec?.ports?.[0]?.nodePort ?? 0;
    await waitHostAnswers('the NodePort of web-fw to answer from the host', `http://${NODE_IP}:${np}/`);
  });

  it('pins a client to one pod with sessionAffinity ClientIP', async () => {
    const sticky = (await getService(net.node, ns, 'web-sticky')).spec?.clusterIP ?? '';
    const url = `http://${sticky}:80/`;
    await waitPodAnswers(net.node, ns, 'client', url);
    const t = await requestsFromPod(net.node, ns, 'client', url, 60);
    expect(t.failed, showTally(t)).toBe(0);
    expect(answered(t), showTally(t)).toHaveLength(1);
    expect(pods).toContain(answered(t)[0]);
    // The same client without affinity (the plain Service) still reaches every pod.
    const spread = await requestsFromPod(net.node, ns, 'client', `http://${clusterIP}:80/`, 60);
    expect(answered(spread).length, showTally(spread)).toBeGreaterThan(1);
  });

  it('takes a pod that fails its readiness probe out of the rotation, and back when it passes', async () => {
    const url = `http://${clusterIP}:80/`;
    const victim = pods[0] ?? '';
    const victimIP = (await livePods(net.node, ns, 'web')).find((p) => p.metadata?.name === victim)?.status
      ?.podIP;
    await shOk(net.node, ns, victim, 'rm /tmp/ready');
    const left = await waitEndpoints(net.node, ns, 'web', 2);
    expect(left).not.toContain(victimIP);
    // The proxy follows the EndpointSlice: poll until a batch misses the pod, then check a larger one.
    await pollUntil(
      `requests to stop reaching ${victim}`,
      () => requestsFromPod(net.node, ns, 'client', url, 20),
      (t) => !t.answers.has(victim) && t.failed === 0,
      { timeoutMs: WAIT_MS, intervalMs: 200 },
    );
    const t = await requestsFromPod(net.node, ns, 'client', url, 100);
    expect(t.failed, showTally(t)).toBe(0);
    expect(answered(t), showTally(t)).toEqual(pods.filter((p) => p !== victim));

    await shOk(net.node, ns, victim, 'touch /tmp/ready');
    await waitEndpoints(net.node, ns, 'web', 3);
    await pollUntil(
      `requests to reach ${victim} again`,
      () => requestsFromPod(net.node, ns, 'client', url, 30),
      (r) => r.answers.has(victim),
      { timeoutMs: WAIT_MS, intervalMs: 200 },
    );
  });

  it('refuses connections at once when scaled to 0', async () => {
    await kubectlOk(net.node, ['scale', 'deploy/web', '-n', ns, '--replicas=0']);
    await pollUntil(
      'the web pods to be gone',
      () => livePods(net.node, ns, 'web'),
      (p) => p.length === 0,
      {
        timeoutMs: WAIT_MS,
        intervalMs: 250,
      },
    );
    await pollUntil(
      'no ready endpoints',
      () => readyEndpoints(net.node, ns, 'web'),
      (e) => e.length === 0,
      {
        timeoutMs: WAIT_MS,
        intervalMs: 250,
      },
    );
    // From a pod to the ClusterIP: "Connection refused" (a TCP reset), not a timeout.
    const probe = `timeout 10 wget -q -O - http://${clusterIP}:80/ 2>&1; echo "exit $?"`;
    const refused = await pollUntil(
      'the ClusterIP to refuse connections',
      async () => {
        const start = Date.now();
        const r = await sh(net.node, ns, 'client', probe, 30_000);
        return { out: r.out, ms: Date.now() - start };
      },
      (r) => /Connection refused/.test(r.out),
      { timeoutMs: WAIT_MS, intervalMs: 500 },
    );
    expect(refused.ms, refused.out).toBeLessThan(5000);
    // From the host to the NodePort: ECONNREFUSED, quickly.
    const url = `http://${NODE_IP}:${nodePort}/`;
    const r = await pollUntil(
      `the NodePort ${url} to refuse connections`,
      async () => {
        const start = Date.now();
        return { r: await hostGet(url, {}, 10_000), ms: Date.now() - start };
      },
      (v) => 'error' in v.r && v.r.error === 'ECONNREFUSED',
      { timeoutMs: WAIT_MS, intervalMs: 250 },
    );
    expect(r.ms).toBeLessThan(2000);
    // The health check of the Local LoadBalancer now tells load balancers to avoid this node.
    const hcnp = (await getService(net.node, ns, 'web-local')).spec?.healthCheckNodePort ?? 0;
    const health = await pollUntil(
      'the health check to answer 503',
      () => hostGet(`http://${NODE_IP}:${hcnp}/`),
      (v) => 'status' in v && v.status === 503,
      { timeoutMs: WAIT_MS, intervalMs: 250 },
    );
    expect('body' in health && JSON.parse(health.body)).toMatchObject({ localEndpoints: 0 });
    await dropNamespaces(net);
  });
});
