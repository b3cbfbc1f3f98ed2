/** Node-only image parts (decoding with sharp); re-exported from @captune/core/node. */
export * from './image-decode.js';
