/**
 * A strict well-formedness check of the XML mote hil writes (tests use it on JUnit files): one
 * declaration, elements that nest and close, attributes quoted once each, no raw "<" or stray "&"
 * in text or values. Throws an Error naming the offset of the first problem. Host-side.
 */
const NAME = '[A-Za-z_][A-Za-z0-9_.-]*';
const ATTRS = new RegExp(`\\s+(${NAME})="([^"<]*)"`, 'gy');
const ENTITY = /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;

export function checkXml(xml: string): void {
  const fail = (at: number, what: string): never => {
    throw new Error(`XML: ${what} at offset ${at}: ${JSON.stringify(xml.slice(at, at + 40))}`);
  };
  if (!xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')) fail(0, 'no XML declaration');
  const stack: string[] = [];
  let at = xml.indexOf('\n') + 1;
  let roots = 0;
  while (at < xml.length) {
    const lt = xml.indexOf('<', at);
    const text = xml.slice(at, lt < 0 ? xml.length : lt);
    if (ENTITY.test(text)) fail(at, 'a stray "&" in text');
    if (stack.length === 0 && text.trim() !== '') fail(at, 'text outside the root element');
    if (lt < 0) break;
    const gt = xml.indexOf('>', lt);
    if (gt < 0) fail(lt, 'an unclosed tag');
    const tag = xml.slice(lt + 1, gt);
    const close = new RegExp(`^/(${NAME})$`).exec(tag);
    if (close) {
      if (stack.pop() !== close[1]) fail(lt, `</${close[1]}> closes nothing open`);
    } else {
      const open = new RegExp(`^(${NAME})`).exec(tag);
      if (!open) fail(lt, 'a malformed tag');
      const selfClosing = tag.endsWith('/');
      const attrs = tag.slice(open![1]!.length, selfClosing ? -1 : undefined);
      const seen: string[] = [];
      ATTRS.lastIndex = 0;
      let m: RegExpExecArray | null;
      let end = 0;
      while ((m = ATTRS.exec(attrs))) {
        if (seen.includes(m[1]!)) fail(lt, `attribute ${m[1]} twice`);
        if (ENTITY.test(m[2]!)) fail(lt, `a stray "&" in attribute ${m[1]}`);
        seen.push(m[1]!);
        end = ATTRS.lastIndex;
      }
      if (attrs.slice(end).trim() !== '') fail(lt, 'malformed attributes');
      if (stack.length === 0 && ++roots > 1) fail(lt, 'a second root element');
      if (!selfClosing) stack.push(open![1]!);
    }
    at = gt + 1;
  }
  if (stack.length > 0) fail(xml.length, `<${stack.at(-1)}> never closed`);
  if (roots !== 1) fail(0, 'no root element');
}
