package compare

import (
	"reflect"
	"testing"
)

func TestParseAnswerTolerant(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    *answer
		wantErr bool
	}{
		{
			name: "schema shape in a fence",
			in: "Here it is:\n```json\n" + `{"common":[{"point":"The council voted.","evidence":[{"outlet":"Herald","text":"the council voted on Tuesday"}]}],
				"differences":[{"point":"Cost given.","outlets":["Herald"],"evidence":[{"outlet":"Herald","text":"it will cost 4 million"}]}],
				"framing":[{"outlet":"Herald","note":"Leads with the vote.","evidence":[{"outlet":"Herald","text":"Council votes"}]}],
				"quotes":[{"outlet":"Herald","text":"We had no choice","speaker":"Mayor"}]}` + "\n```",
			want: &answer{
				common:      []rawPoint{{point: "The council voted.", evidence: []rawEvidence{{outlet: "Herald", text: "the council voted on Tuesday"}}}},
				differences: []rawPoint{{point: "Cost given.", outlets: []string{"Herald"}, evidence: []rawEvidence{{outlet: "Herald", text: "it will cost 4 million"}}}},
				framing:     []rawFraming{{outlet: "Herald", note: "Leads with the vote.", evidence: []rawEvidence{{outlet: "Herald", text: "Council votes"}}}},
				quotes:      []rawQuote{{outlet: "Herald", text: "We had no choice", speaker: "Mayor"}},
			},
		},
		{
			name: "other names, plain strings, single items, nulls skipped",
			in: `{"common":null,"facts":["  The council voted. ", ""],
				"only_some":{"claim":"Cost given.","outlet":"Herald","support":"it will cost 4 million"},
				"framings":[{"site":"Courier","framing":"Leads with protests."},{"outlet":"","note":"no outlet"},"not an object"],
				"quotations":[{"source":"Courier","quote":"No way","who":"Resident"},"a plain string"]}`,
			want: &answer{
				common:      []rawPoint{{point: "The council voted."}},
				differences: []rawPoint{{point: "Cost given.", outlets: []string{"Herald"}, evidence: []rawEvidence{{text: "it will cost 4 million"}}}},
				framing:     []rawFraming{{outlet: "Courier", note: "Leads with protests."}},
				quotes:      []rawQuote{{outlet: "Courier", text: "No way", speaker: "Resident"}},
			},
		},
		{
			name: "blank field falls through to the next name",
			in:   `{"common":[{"point":"  ","text":"Backup text.","outlets":"Herald\nCourier"}]}`,
			want: &answer{common: []rawPoint{{point: "Backup text.", outlets: []string{"Herald", "Courier"}}}},
		},
		{name: "no sections", in: `{"common":[],"quotes":[{"text":""}]}`, wantErr: true},
		{name: "no object", in: "I cannot compare these.", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseAnswer(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
