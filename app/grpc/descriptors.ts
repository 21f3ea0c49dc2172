// File descriptors for server reflection that strict descriptor linkers accept (grpcurl and other Go tools use
// protodesc, which refuses unresolvable names).
//
// @grpc/proto-loader builds its descriptors with protobufjs, which (grpc-node issue 2595) writes type names
// relative to the referencing message ("base.v1beta1.Coin" instead of ".cosmos.base.v1beta1.Coin") and no
// `dependency` list, so a linker cannot find the referenced types. This module decodes those descriptors,
// resolves every type name to its fully qualified form with protobuf scoping rules, and lists, for each file,
// the files its references live in.
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, type DescriptorProto, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";

/** Fixes proto-loader's FileDescriptorProtos (see above); throws when a reference cannot be resolved. */
export function linkableDescriptors(encoded: readonly Uint8Array[]): Buffer[] {
  const files = new Map<string, FileDescriptorProto>();
  for (const bytes of encoded) {
    const file = fromBinary(FileDescriptorProtoSchema, bytes);
    if (!files.has(file.name)) files.set(file.name, file);
  }

  // fully qualified name (".pkg.Msg", ".pkg.Msg.Nested", ".pkg.Enum") → file name
  const fileOf = new Map<string, string>();
  const indexMessages = (scope: string, messages: DescriptorProto[], file: string) => {
    for (const message of messages) {
      const name = `${scope}.${message.name}`;
      fileOf.set(name, file);
      for (const e of message.enumType) fileOf.set(`${name}.${e.name}`, file);
      indexMessages(name, message.nestedType, file);
    }
  };
  for (const file of files.values()) {
    const scope = file.package ? `.${file.package}` : "";
    for (const e of file.enumType) fileOf.set(`${scope}.${e.name}`, file.name);
    indexMessages(scope, file.messageType, file.name);
  }

  /** Protobuf scoping: look in `scope`, then each enclosing scope, up to the root. */
  const resolve = (name: string, scope: string): string => {
    if (name.startsWith(".")) {
      if (fileOf.has(name)) return name;
    } else {
      for (let s = scope; ; s = s.slice(0, s.lastIndexOf("."))) {
        const candidate = `${s}.${name}`;
        if (fileOf.has(candidate)) return candidate;
        if (s === "") break;
      }
    }
    throw new Error(`descriptor: cannot resolve type ${JSON.stringify(name)} referenced in ${scope || "<root>"}`);
  };

  for (const file of files.values()) {
    const deps = new Set<string>();
    const use = (fullName: string) => {
      const other = fileOf.get(fullName)!;
      if (other !== file.name) deps.add(other);
    };
    const fixMessages = (scope: string, messages: DescriptorProto[]) => {
      for (const message of messages) {
        const name = `${scope}.${message.name}`;
        for (const field of [...message.field, ...message.extension]) {
          if (field.typeName) use((field.typeName = resolve(field.typeName, name)));
          if (field.extendee) use((field.extendee = resolve(field.extendee, name)));
        }
        fixMessages(name, message.nestedType);
      }
    };
    const scope = file.package ? `.${file.package}` : "";
    fixMessages(scope, file.messageType);
    for (const field of file.extension) {
      if (field.typeName) use((field.typeName = resolve(field.typeName, scope)));
      if (field.extendee) use((field.extendee = resolve(field.extendee, scope)));
    }
    for (const service of file.service) {
      for (const method of service.method) {
        use((method.inputType = resolve(method.inputType, scope)));
        use((method.outputType = resolve(method.outputType, scope)));
      }
    }
    file.dependency = [...deps].sort();
  }
  return [...files.values()].map((file) => Buffer.from(toBinary(FileDescriptorProtoSchema, file)));
}
