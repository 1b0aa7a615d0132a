/**
 * FreeRTOS's intrusive doubly linked list (list.c), kept faithful because the order in which
 * tasks are chosen depends on its exact rules:
 * - `insertEnd` places an item just before the round-robin index, so it is the last one that
 *   `nextOwner` reaches (this is how equal-priority tasks take turns);
 * - `insert` keeps items sorted by value, an item going after those with the same value (FIFO);
 * - removing the item the index points at moves the index back one.
 */
export class ListItem<T> {
  value = 0;
  container: List<T> | null = null;
  next: ListItem<T>;
  prev: ListItem<T>;
  constructor(readonly owner: T) {
    this.next = this;
    this.prev = this;
  }
}

export class List<T> {
  /** The end marker: its value sorts after every real item. */
  readonly end: ListItem<T>;
  /** Round-robin position used by `nextOwner`. */
  index: ListItem<T>;
  length = 0;

  constructor() {
    this.end = new ListItem<T>(undefined as unknown as T);
    this.end.value = Infinity;
    this.index = this.end;
  }

  /** vListInsertEnd: before the index, i.e. last in round-robin order. */
  insertEnd(item: ListItem<T>): void {
    const at = this.index;
    item.next = at;
    item.prev = at.prev;
    at.prev.next = item;
    at.prev = item;
    item.container = this;
    this.length++;
  }

  /** vListInsert: sorted by value; equal values keep arrival order. */
  insert(item: ListItem<T>): void {
    let at = this.end;
    if (item.value === Infinity) at = this.end.prev;
    else while (at.next.value <= item.value) at = at.next;
    item.next = at.next;
    item.next.prev = item;
    item.prev = at;
    at.next = item;
    item.container = this;
    this.length++;
  }

  /** listGET_OWNER_OF_NEXT_ENTRY: advance the index, skipping the end marker. */
  nextOwner(): T {
    this.index = this.index.next;
    if (this.index === this.end) this.index = this.index.next;
    return this.index.owner;
  }

  head(): ListItem<T> {
    return this.end.next;
  }

  /**
   * Owners from the head to the end, as prvListTasksWithinSingleList walks a list for
   * uxTaskGetSystemState (whatever the round-robin index; the index is not moved).
   */
  owners(): T[] {
    const out: T[] = [];
    for (let at = this.end.next; at !== this.end; at = at.next) out.push(at.owner);
    return out;
  }
}

/** uxListRemove: returns the number of items left in the list the item was in. */
export function removeItem<T>(item: ListItem<T>): number {
  const list = item.container;
  if (list === null) return 0;
  item.next.prev = item.prev;
  item.prev.next = item.next;
  if (list.index === item) list.index = item.prev;
  item.container = null;
  return --list.length;
}
