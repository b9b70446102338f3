'use strict';
// opsgen-jsii: cdk8s constructs that Python cannot express through jsii.
//
// JsonApiObject is a cdk8s ApiObject made from its whole manifest. In
// TypeScript, ApiObjectProps takes any further attributes (spec, data, ...);
// jsii drops them for other languages (cdk8s-team/cdk8s-core#1297), whose
// documented way out is a JSON patch per attribute: three jsii round trips per
// object. Here the manifest crosses as one JSON string and the object is built
// in one. Everything after that is cdk8s's own ApiObject: metadata, chart
// labels, JSON patches, resolution and synthesis.
const { ApiObject } = require('cdk8s');

class JsonApiObject extends ApiObject {
  /**
   * @param scope the construct scope
   * @param id the construct id
   * @param manifest the object as JSON: apiVersion, kind, metadata and the rest
   */
  constructor(scope, id, manifest) {
    super(scope, id, typeof manifest === 'string' ? JSON.parse(manifest) : manifest);
  }

  /**
   * Adds one JsonApiObject per [id, manifest] pair to scope, in order: a
   * whole chart's objects in one jsii call instead of one call each.
   * @param scope the construct scope
   * @param manifests a JSON array of [id, manifest] pairs
   * @returns how many objects were added
   */
  static addAll(scope, manifests) {
    const pairs = JSON.parse(manifests);
    for (const [id, manifest] of pairs) {
      new JsonApiObject(scope, id, manifest);
    }
    return pairs.length;
  }

  /**
   * The chart's synthesized objects as one JSON string: the same values as
   * chart.toJson(), without jsii walking every value on its way to Python.
   * @param chart the chart
   */
  static synthJson(chart) {
    return JSON.stringify(chart.toJson());
  }

  /**
   * Adds the [id, manifest] pairs of `manifests` to `chart`, synthesizes the
   * chart with cdk8s (chart.toJson()) and removes them again: a whole catalogue
   * never sits in this process at once, and one JSON line stays small (jsii's
   * kernel reads a request by concatenating every chunk the pipe hands it, so
   * its cost grows with the square of the line's length).
   * @param chart the chart; it holds no other ApiObject
   * @param manifests a JSON array of [id, manifest] pairs
   * @returns the synthesized objects as one JSON string
   */
  static synthBatch(chart, manifests) {
    const ids = JSON.parse(manifests).map(([id, manifest]) => new JsonApiObject(chart, id, manifest).node.id);
    try {
      return JSON.stringify(chart.toJson());
    } finally {
      for (const id of ids) {
        chart.node.tryRemoveChild(id);
      }
    }
  }

  /**
   * cdk8s's synthesis, keeping the manifest's own key order below the top
   * level (opsgen writes each kind in the order of its upstream docs): cdk8s
   * sorts keys unless CDK8S_DISABLE_SORT is set, so it is set for this object.
   * Metadata comes out sorted either way.
   */
  toJson() {
    const saved = process.env.CDK8S_DISABLE_SORT;
    process.env.CDK8S_DISABLE_SORT = '1';
    try {
      return super.toJson();
    } finally {
      if (saved === undefined) {
        delete process.env.CDK8S_DISABLE_SORT;
      } else {
        process.env.CDK8S_DISABLE_SORT = saved;
      }
    }
  }
}
Object.defineProperty(JsonApiObject, Symbol.for('jsii.rtti'), {
  value: { fqn: 'opsgen-jsii.JsonApiObject', version: '0.1.0' },
});

exports.JsonApiObject = JsonApiObject;
