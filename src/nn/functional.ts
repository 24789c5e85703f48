// nn.functional: the layers' stateless forms.
export { dropout } from './dropout';
export type { DropoutOptions } from './dropout';
