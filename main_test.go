package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestQuietUnlessLogging(t *testing.T) {
	t.Parallel()
	quiet := map[string]string{"TF_LOG_SDK": "off", "TF_LOG_SDK_PROTO": "off", "TF_LOG_SDK_FRAMEWORK": "off", "TF_LOG_PROVIDER_AKS": "off"}
	tests := map[string]struct {
		env  map[string]string
		want map[string]string
	}{
		"nothing set: Terraform discards provider logs": {env: map[string]string{}, want: quiet},
		"empty TF_LOG counts as unset":                  {env: map[string]string{"TF_LOG": ""}, want: quiet},
		"TF_LOG set":                                    {env: map[string]string{"TF_LOG": "DEBUG"}},
		"TF_LOG_PROVIDER set":                           {env: map[string]string{"TF_LOG_PROVIDER": "TRACE"}},
		"this provider's level set":                     {env: map[string]string{"TF_LOG_PROVIDER_AKS": "INFO"}},
		"an SDK level set":                              {env: map[string]string{"TF_LOG_SDK_FRAMEWORK": "TRACE"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := map[string]string{}
			quietUnlessLogging(func(k string) (string, bool) {
				v, ok := tt.env[k]
				return v, ok
			}, func(k, v string) error {
				got[k] = v
				return nil
			})
			want := tt.want
			if want == nil {
				want = map[string]string{}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("variables set (-want +got):\n%s", diff)
			}
		})
	}
}
