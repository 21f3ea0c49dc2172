// sorted-btree is CommonJS with `exports.default = BTree`; under NodeNext an ESM default import yields the
// whole `module.exports`, so take the class from its `default` property here, once.
import sortedBtree from "sorted-btree";

export const BTree = sortedBtree.default;
export type BTree<K, V> = sortedBtree.default<K, V>;
