package qr

import (
	"container/list"
	"sync"
)

// cache is a least-recently-used map from image SHA-256 to Result.
type cache struct {
	mu    sync.Mutex
	max   int
	order *list.List // front is most recent; values are *cacheEntry
	items map[[32]byte]*list.Element
}

type cacheEntry struct {
	key [32]byte
	res Result
}

func newCache(max int) *cache {
	return &cache{max: max, order: list.New(), items: make(map[[32]byte]*list.Element)}
}

func (c *cache) get(key [32]byte) (Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return Result{}, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cacheEntry).res.clone(), true
}

func (c *cache) put(key [32]byte, res Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		e.Value.(*cacheEntry).res = res.clone()
		c.order.MoveToFront(e)
		return
	}
	c.items[key] = c.order.PushFront(&cacheEntry{key, res.clone()})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*cacheEntry).key)
	}
}
