import { describe, expect, it } from 'vitest';
import { isMirrorPod, mirrorPod, parseStaticPods } from './static-pods.js';

const manifest = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: c
    image: k8ts.local/busybox:1
`;

describe('static pods', () => {
  it('names the pod after the node, gives it a stable uid and defaults', async () => {
    const [pod] = await parseStaticPods('/m/web.yaml', manifest, 'n1');
    expect(pod?.metadata?.name).toBe('web-n1');
    expect(pod?.metadata?.namespace).toBe('default');
    expect(pod?.spec?.nodeName).toBe('n1');
    expect(pod?.spec?.restartPolicy).toBe('Always');
    const [again] = await parseStaticPods('/m/web.yaml', manifest, 'n1');
    expect(again?.metadata?.uid).toBe(pod?.metadata?.uid);
    const [changed] = await parseStaticPods('/m/web.yaml', manifest.replace('busybox:1', 'busybox:2'), 'n1');
    expect(changed?.metadata?.uid).not.toBe(pod?.metadata?.uid);
  });

  it('refuses what is not a v1 Pod, naming the file', async () => {
    await expect(
      parseStaticPods('/m/x.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\n', 'n1'),
    ).rejects.toThrow('/m/x.yaml: only v1 Pods are allowed, got v1/Service');
    await expect(parseStaticPods('/m/y.yaml', 'kind: [', 'n1')).rejects.toThrow('/m/y.yaml');
  });

  it('builds a mirror pod owned by the node', async () => {
    const [pod] = await parseStaticPods('/m/web.yaml', manifest, 'n1');
    const mirror = mirrorPod(pod!, 'node-uid');
    expect(isMirrorPod(mirror)).toBe(true);
    expect(mirror.metadata?.uid).toBeUndefined();
    expect(mirror.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'Node',
      name: 'n1',
      uid: 'node-uid',
    });
  });
});

describe('static pod validation', () => {
  it('refuses an invalid pod with the field path', async () => {
    await expect(
      parseStaticPods(
        '/m/bad.yaml',
        'apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec: {containers: []}\n',
        'n1',
      ),
    ).rejects.toThrow(/\/m\/bad.yaml: invalid pod: .*spec.containers/);
  });
});
