'use strict';
/**
 * Tensor methods (`x.add(y)`, `x.reshape(s)`, `x.toFloat()`, …) for tfjs-core loaded on its own
 * in Node (`tfjs.cjs`).
 *
 * tfjs declares them in `@tensorflow/tfjs-core/dist/public/chained_ops/*`: one ES module per
 * method, which only the `@tensorflow/tfjs` umbrella bundles for Node (tfjs-core's Node build
 * leaves them out, and Node cannot load those extensionless ES modules). This registers the
 * same 127 methods on tfjs's `Tensor` class: 113 call the op of the same name with the tensor
 * first (`x.sum(axis)` is `tf.sum(x, axis)`), 14 are written as tfjs writes them.
 * chained-ops.test.ts checks both lists against tfjs-core's own files, so a tfjs upgrade that
 * adds or changes a method fails there.
 */
const tf = require('@tensorflow/tfjs-core');

/** Methods whose body in tfjs-core is `this.throwIfDisposed(); return <same name>(this, ...args)`. */
const FORWARDED = Object.freeze([
  'abs', 'acos', 'acosh', 'add', 'all', 'any', 'argMax', 'argMin', 'asin', 'asinh', 'atan', 'atan2', 'atanh',
  'batchNorm', 'batchToSpaceND', 'broadcastTo', 'cast', 'ceil', 'clipByValue', 'conv1d', 'conv2d', 'cos', 'cosh',
  'cumprod', 'cumsum', 'depthToSpace', 'div', 'divNoNan', 'dot', 'elu', 'equal', 'erf', 'euclideanNorm', 'exp',
  'expandDims', 'expm1', 'fft', 'floor', 'floorDiv', 'gather', 'greater', 'greaterEqual', 'ifft', 'irfft', 'isFinite',
  'isInf', 'isNaN', 'leakyRelu', 'less', 'lessEqual', 'log', 'log1p', 'logSigmoid', 'logSoftmax', 'logSumExp',
  'logicalAnd', 'logicalNot', 'logicalOr', 'logicalXor', 'matMul', 'max', 'maximum', 'mean', 'min', 'minimum',
  'mirrorPad', 'mod', 'mul', 'neg', 'norm', 'notEqual', 'oneHot', 'onesLike', 'pad', 'pool', 'pow', 'prelu', 'prod',
  'reciprocal', 'relu', 'relu6', 'reshape', 'reverse', 'rfft', 'round', 'rsqrt', 'selu', 'sigmoid', 'sign', 'sin',
  'sinh', 'slice', 'softmax', 'softplus', 'spaceToBatchND', 'split', 'sqrt', 'square', 'squaredDifference', 'squeeze',
  'step', 'stridedSlice', 'sub', 'sum', 'tan', 'tanh', 'tile', 'topk', 'transpose', 'unique', 'unstack', 'zerosLike',
]);

const list = (x) => (x instanceof tf.Tensor ? [x] : x);

/** The 14 methods tfjs-core writes some other way, written the same way (`this` is the tensor). */
const SPECIAL = Object.freeze({
  asType(dtype) { return tf.cast(this, dtype); },
  as1D() { return tf.reshape(this, [this.size]); },
  flatten() { return tf.reshape(this, [this.size]); },
  as2D(rows, columns) { return tf.reshape(this, [rows, columns]); },
  as3D(rows, columns, depth) { return tf.reshape(this, [rows, columns, depth]); },
  as4D(rows, columns, depth, depth2) { return tf.reshape(this, [rows, columns, depth, depth2]); },
  as5D(rows, columns, depth, depth2, depth3) { return tf.reshape(this, [rows, columns, depth, depth2, depth3]); },
  asScalar() {
    tf.util.assert(this.size === 1, () => 'The array must have only 1 element.');
    return tf.reshape(this, []);
  },
  reshapeAs(x) { return tf.reshape(this, x.shape); },
  toBool() { return tf.cast(this, 'bool'); },
  toFloat() { return tf.cast(this, 'float32'); },
  toInt() { return tf.cast(this, 'int32'); },
  concat(x, axis) { return tf.concat([this, ...list(x)], axis); },
  stack(x, axis) { return tf.stack([this, ...list(x)], axis); },
  where(condition, x) { return tf.where(condition, this, x); },
});

/** Adds the methods to tfjs's `Tensor` class; each first throws if the tensor is disposed, as tfjs's do. */
function registerChainedOps() {
  const proto = tf.Tensor.prototype;
  for (const name of FORWARDED) {
    const op = tf[name];
    proto[name] = function (...args) {
      this.throwIfDisposed();
      return op(this, ...args);
    };
  }
  for (const [name, method] of Object.entries(SPECIAL)) {
    proto[name] = function (...args) {
      this.throwIfDisposed();
      return method.apply(this, args);
    };
  }
}

module.exports = { FORWARDED, SPECIAL, registerChainedOps };
