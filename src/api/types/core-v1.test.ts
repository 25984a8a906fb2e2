import { describe, expect, it } from 'vitest';
import { RESOURCES } from '../resources.js';
import { CORE, INT_OR_STRING, META, QUANTITY } from '../schema/dsl.js';
import { DefinitionRegistry } from '../schema/registry.js';
import type { Definition, Property, Schema } from '../schema/types.js';
import { coreV1Definitions } from './core-v1.js';
import { metaV1Definitions } from './meta-v1.js';

const registry = new DefinitionRegistry().add(...metaV1Definitions, ...coreV1Definitions);

function def(name: string): Definition {
  const d = registry.get(CORE + name) ?? registry.get(name);
  if (d === undefined) throw new Error(`no definition ${name}`);
  return d;
}

function field(type: string, name: string): Property {
  const prop = def(type).properties?.[name];
  if (prop === undefined) throw new Error(`${type} has no field ${name}`);
  return prop;
}

const ref = (name: string): Schema => ({ kind: 'ref', name });

describe('core/v1 definitions', () => {
  it('reference only registered definitions', () => {
    expect(registry.missingReferences()).toEqual([]);
  });

  it('define every core/v1 kind served and its List kind', () => {
    const core = RESOURCES.filter((r) => r.group === '');
    expect(core.length).toBeGreaterThan(10);
    for (const r of core) {
      const kind = registry.forKind({ group: '', version: 'v1', kind: r.kind });
      expect(kind?.name, r.kind).toBe(r.definition);
      const listKind = registry.forKind({ group: '', version: 'v1', kind: `${r.kind}List` });
      expect(listKind?.name, `${r.kind}List`).toBe(`${r.definition}List`);
      expect(listKind?.properties?.items?.schema).toEqual({ kind: 'array', items: ref(r.definition) });
    }
  });

  it('define the kinds used as subresource bodies and templates', () => {
    expect(registry.forKind({ group: '', version: 'v1', kind: 'Binding' })?.required).toEqual(['target']);
    expect(registry.forKind({ group: '', version: 'v1', kind: 'PodTemplate' })).toBeDefined();
    expect(def('PodTemplateSpec').properties?.spec?.schema).toEqual(ref(CORE + 'PodSpec'));
  });

  it('give every property a short description of its own', () => {
    for (const d of [...metaV1Definitions, ...coreV1Definitions]) {
      expect(d.description.length, d.name).toBeGreaterThan(5);
      for (const [name, prop] of Object.entries(d.properties ?? {})) {
        expect(prop.description.length, `${d.name}.${name}`).toBeGreaterThan(3);
        expect(prop.description.length, `${d.name}.${name}`).toBeLessThan(200);
      }
    }
  });

  it('list only existing fields as required', () => {
    for (const d of registry.all())
      for (const r of d.required ?? []) expect(d.properties?.[r], `${d.name} requires ${r}`).toBeDefined();
  });

  it('merge containers, init containers and env by name', () => {
    for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
      expect(field('PodSpec', list)).toMatchObject({
        patchStrategy: 'merge',
        patchMergeKey: 'name',
        listType: 'map',
        listMapKeys: ['name'],
      });
    }
    expect(def('PodSpec').required).toEqual(['containers']);
    expect(field('Container', 'env')).toMatchObject({ patchStrategy: 'merge', patchMergeKey: 'name' });
  });

  it('merge container ports by containerPort, keyed by port and protocol', () => {
    expect(field('Container', 'ports')).toMatchObject({
      patchStrategy: 'merge',
      patchMergeKey: 'containerPort',
      listType: 'map',
      listMapKeys: ['containerPort', 'protocol'],
    });
    expect(field('ContainerPort', 'protocol')).toMatchObject({ default: 'TCP' });
    expect(field('ContainerPort', 'containerPort').schema).toEqual({ kind: 'integer', format: 'int32' });
  });

  it('merge and retain keys of pod volumes', () => {
    expect(field('PodSpec', 'volumes')).toMatchObject({
      patchStrategy: 'merge,retainKeys',
      patchMergeKey: 'name',
      listType: 'map',
      listMapKeys: ['name'],
    });
    expect(field('Container', 'volumeMounts')).toMatchObject({ patchMergeKey: 'mountPath' });
  });

  it('merge service ports by port, keyed by port and protocol, with an int-or-string target', () => {
    expect(field('ServiceSpec', 'ports')).toMatchObject({
      patchStrategy: 'merge',
      patchMergeKey: 'port',
      listMapKeys: ['port', 'protocol'],
    });
    expect(field('ServicePort', 'targetPort').schema).toEqual(ref(INT_OR_STRING));
    expect(field('ServiceSpec', 'selector').mapType).toBe('atomic');
    expect(field('ServiceSpec', 'type').schema).toEqual({
      kind: 'string',
      enum: ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'],
    });
  });

  it('describe container resources as maps of Quantity', () => {
    expect(field('Container', 'resources').schema).toEqual(ref(CORE + 'ResourceRequirements'));
    for (const f of ['limits', 'requests'])
      expect(field('ResourceRequirements', f).schema).toEqual({ kind: 'map', values: ref(QUANTITY) });
  });

  it('use int64 for grace periods and user IDs and int32 for ports and counts', () => {
    const int64 = { kind: 'integer', format: 'int64' };
    const int32 = { kind: 'integer', format: 'int32' };
    expect(field('PodSpec', 'terminationGracePeriodSeconds').schema).toEqual(int64);
    expect(field('PodSecurityContext', 'runAsUser').schema).toEqual(int64);
    expect(field('Toleration', 'tolerationSeconds').schema).toEqual(int64);
    expect(field('ServicePort', 'port').schema).toEqual(int32);
    expect(field('ContainerStatus', 'restartCount').schema).toEqual(int32);
  });

  it('mark upstream enums with their values', () => {
    expect(field('PodSpec', 'restartPolicy').schema).toEqual({
      kind: 'string',
      enum: ['Always', 'Never', 'OnFailure'],
    });
    expect(field('Container', 'imagePullPolicy').schema).toMatchObject({
      enum: ['Always', 'IfNotPresent', 'Never'],
    });
    expect(field('PodSpec', 'dnsPolicy').schema).toMatchObject({
      enum: ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'],
    });
    expect(field('Lifecycle', 'stopSignal').schema).toMatchObject({ kind: 'string' });
  });

  it('include every volume source, the legacy in-tree ones too', () => {
    const volume = def('Volume').properties ?? {};
    for (const source of [
      'awsElasticBlockStore',
      'azureDisk',
      'azureFile',
      'cephfs',
      'cinder',
      'configMap',
      'csi',
      'downwardAPI',
      'emptyDir',
      'ephemeral',
      'fc',
      'flexVolume',
      'flocker',
      'gcePersistentDisk',
      'gitRepo',
      'glusterfs',
      'hostPath',
      'image',
      'iscsi',
      'nfs',
      'persistentVolumeClaim',
      'photonPersistentDisk',
      'portworxVolume',
      'projected',
      'quobyte',
      'rbd',
      'scaleIO',
      'secret',
      'storageos',
      'vsphereVolume',
    ])
      expect(volume[source], source).toBeDefined();
    expect(field('PersistentVolumeSpec', 'local').schema).toEqual(ref(CORE + 'LocalVolumeSource'));
    expect(field('PersistentVolumeSpec', 'claimRef').mapType).toBe('granular');
  });

  it('mark atomic reference structs', () => {
    for (const name of ['ObjectReference', 'LocalObjectReference', 'NodeSelector', 'SecretKeySelector'])
      expect(def(name).mapType, name).toBe('atomic');
  });
});

describe('meta/v1 definitions', () => {
  it('merge finalizers as a set and owner references by uid', () => {
    expect(registry.get(META + 'ObjectMeta')?.properties?.finalizers).toMatchObject({
      patchStrategy: 'merge',
      listType: 'set',
    });
    expect(registry.get(META + 'ObjectMeta')?.properties?.ownerReferences).toMatchObject({
      patchStrategy: 'merge',
      patchMergeKey: 'uid',
      listType: 'map',
      listMapKeys: ['uid'],
    });
  });

  it('describe the wire scalars', () => {
    expect(registry.get(QUANTITY)?.scalar).toBe('quantity');
    expect(registry.get(INT_OR_STRING)?.scalar).toBe('int-or-string');
    expect(registry.get(META + 'Time')?.scalar).toBe('date-time');
    expect(registry.get(META + 'MicroTime')?.scalar).toBe('micro-time');
    expect(registry.get('io.k8s.apimachinery.pkg.runtime.RawExtension')?.scalar).toBe('any-object');
  });

  it('tag Status, DeleteOptions and discovery documents with their kinds', () => {
    expect(registry.forKind({ group: '', version: 'v1', kind: 'Status' })?.name).toBe(META + 'Status');
    expect(registry.forKind({ group: 'apps', version: 'v1', kind: 'DeleteOptions' })?.name).toBe(
      META + 'DeleteOptions',
    );
    expect(registry.forKind({ group: '', version: 'v1', kind: 'APIResourceList' })?.required).toEqual([
      'groupVersion',
      'resources',
    ]);
  });
});
