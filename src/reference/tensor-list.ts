// The reference backend's tensor-list handle: just the arrays.
export interface RefTensorList {
  lists: Float32Array[][];
}

export function makeTensorList(lists: Float32Array[][]): RefTensorList {
  return { lists };
}
