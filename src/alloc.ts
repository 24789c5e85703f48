// Output buffers for kernels that write every element: allocated without
// zero-filling (Node's Buffer.allocUnsafe), which saves a full write pass over
// large outputs. Never use it for a buffer that is not entirely overwritten.

/** A Float32Array of n elements with unspecified contents. */
export function uninitializedFloat32(n: number): Float32Array {
  if (n === 0) return new Float32Array(0);
  const b = Buffer.allocUnsafe(n * 4); // byteOffset is 8-aligned (pooled) or 0 (own buffer)
  return new Float32Array(b.buffer, b.byteOffset, n);
}
