package recap

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
			in: "```json\n" + `{"summary":"They planned the trip.","points":["Ana proposed May."],"open_questions":["Who drives?"],
				"quotes":[{"text":"May works for me","author":"Ana"}]}` + "\n```",
			want: &answer{
				summary: "They planned the trip.", points: []string{"Ana proposed May."}, questions: []string{"Who drives?"},
				quotes: []rawQuote{{text: "May works for me", author: "Ana"}},
			},
		},
		{
			name: "other names, loose types",
			in: `{"summary":["They planned", "the trip."],"points":null,"key_points":"- Ana proposed May.\n- Bo agreed.",
				"questions":"Who drives?","quotes":["May works for me",{"quote":"I agree","speaker":"","member":"Bo"},{"text":""},42]}`,
			want: &answer{
				summary: "They planned the trip.", points: []string{"Ana proposed May.", "Bo agreed."}, questions: []string{"Who drives?"},
				quotes: []rawQuote{{text: "May works for me"}, {text: "I agree", author: "Bo"}},
			},
		},
		{
			name: "quotes must be a list",
			in:   `{"summary":"They met.","quotes":{"text":"May works for me","author":"Ana"}}`,
			want: &answer{summary: "They met."},
		},
		{name: "no summary and no points", in: `{"summary":" ","points":[],"quotes":[{"text":"hi there","author":"Ana"}]}`, wantErr: true},
		{name: "no object", in: "Sorry.", wantErr: true},
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
