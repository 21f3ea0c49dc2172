// The authenticated state store (design D6): key-value interfaces and CacheStore, the sparse Merkle tree and
// its proofs, and the versioned LevelDB-backed CommitStore.
export * from "./kv.js";
export {
  type MerkleProof,
  verifyMembership,
  verifyNonMembership,
  encodeProof,
  decodeProof,
} from "./smt.js";
export * from "./store.js";
