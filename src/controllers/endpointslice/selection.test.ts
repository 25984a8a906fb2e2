import { describe, expect, it } from 'vitest';
import { PODS, SERVICES } from '../../client/resources.js';
import { FakeClient } from '../../client/testing/fake-client.js';
import { ControllerHarness } from '../framework/testing/harness.js';
import type { PodObject, ServiceObject } from './podutil.js';
import { indexPodsByLabel, indexServicesBySelector, selectedPods, servicesSelecting } from './selection.js';
import { pod, service } from './testing/harness.js';

describe('selection indexes', () => {
  it('finds a Service’s pods and a pod’s Services, within the namespace', async () => {
    const fake = new FakeClient();
    fake.put(PODS, pod('a', { labels: { app: 'web', tier: 'front' } }));
    fake.put(PODS, pod('b', { labels: { app: 'web', tier: 'back' } }));
    fake.put(PODS, pod('c', { labels: { app: 'web', tier: 'front' } }, 'other'));
    fake.put(SERVICES, service('web', { selector: { app: 'web' } }));
    fake.put(SERVICES, service('front', { selector: { app: 'web', tier: 'front' } }));
    fake.put(SERVICES, service('manual', { selector: null }));
    fake.put(SERVICES, service('web', { selector: { app: 'web' } }, 'other'));
    const h = new ControllerHarness({ fake });
    const pods = h.informers.informer<PodObject>(PODS);
    const services = h.informers.informer<ServiceObject>(SERVICES);
    indexPodsByLabel(pods);
    indexServicesBySelector(services);
    await h.start();
    const names = (l: { metadata: { name?: string } }[]): string[] =>
      l.map((o) => o.metadata.name ?? '').sort();
    expect(names(selectedPods(pods, services.get('ns/web') as ServiceObject))).toEqual(['a', 'b']);
    expect(names(selectedPods(pods, services.get('ns/front') as ServiceObject))).toEqual(['a']);
    expect(selectedPods(pods, services.get('ns/manual') as ServiceObject)).toEqual([]);
    expect(names(servicesSelecting(services, pods.get('ns/a') as PodObject))).toEqual(['front', 'web']);
    expect(names(servicesSelecting(services, pods.get('ns/b') as PodObject))).toEqual(['web']);
    expect(
      servicesSelecting(services, pods.get('other/c') as PodObject).map((s) => s.metadata.namespace),
    ).toEqual(['other']);
    await h.stop();
  });
});
