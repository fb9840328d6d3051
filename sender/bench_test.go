package sender

import (
	"context"
	"testing"
)

// BenchmarkAssess measures one inbound message against a warm in-memory
// history, without DNS: the cost of parsing the trace fields, the geo
// lookups and the novelty signals.
func BenchmarkAssess(b *testing.B) {
	c := newTestChecker(b, Config{}, matureHistory(b), nil)
	in := inbound("Li <li@example.cn>",
		Link{Domain: "www.example.de", Source: "body"},
		Link{Domain: "sssafjeuihiolsw.bond", QR: true, Source: "invoice.docx (word/media/image1.png)"})
	in.Headers = append(in.Headers,
		Header{"Received", "from mx.example.cn (mx.example.cn [203.0.113.7]) by mx.org.example with ESMTPS id 1; Sat, 1 Mar 2025 10:00:00 +0000"},
		Header{"Received", "from [10.0.0.5] (unknown [198.51.100.9]) (Authenticated sender: li) by mx.example.cn with ESMTPSA id 2; Sat, 1 Mar 2025 09:59:58 +0000"},
	)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c.Assess(ctx, in)
	}
}
