#!/usr/bin/env bash
# Alert text is never shell-interpolated by program_output: files and command lines whose
# names hold $(...), backticks, ;, |, &&, quotes and newlines each raise an alert whose text
# reaches the program (cat) on its standard input, byte for byte; none of the embedded
# commands runs. Usage: hostile_program_output.sh FALCOC SRCDIR.
source "$(dirname "$0")/hostile_lib.bash" "$@"
mkdir -p "$tmp/x"
cat > "$tmp/po.yaml" <<EOF
- rule: hostile program output file
  desc: a file created under the test's directory
  condition: evt.type in (open, openat, openat2) and fd.name startswith $tmp/x/ and evt.is_open_write = true
  output: "po file=%fd.name end"
  priority: WARNING
- rule: hostile program output exec
  desc: the test's execs with shell syntax in their arguments
  condition: evt.type in (execve, execveat) and proc.cmdline contains hostile-po-$$
  output: "po cmd=%proc.cmdline end"
  priority: WARNING
EOF
printf 'syslog_output:\n  enabled: false\nwatch_config_files: false\nprogram_output:\n  enabled: true\n  keep_alive: true\n  program: "cat >> %s/prog.out"\n' "$tmp" > "$tmp/cfg.yaml"
: > "$tmp/prog.out"
start_falcod -r "$tmp/po.yaml"
payloads=("\$(touch $tmp/pwned1)" "\`touch $tmp/pwned2\`" "; touch $tmp/pwned3" "| touch $tmp/pwned4"
	  "&& touch $tmp/pwned5" "' ; touch $tmp/pwned6 ; '" "\"; touch $tmp/pwned7; \"" $'\n'"touch $tmp/pwned8")
i=0
for p in "${payloads[@]}"; do
	i=$((i + 1))
	# the payload as a file name (slashes are not allowed in names: they become U+2215)
	: > "$tmp/x/f$i ${p//\//∕}"
	/bin/true "hostile-po-$$" "$p"
done
for _ in $(seq 100); do
	[ "$(grep -a -c '^.*po cmd=' "$tmp/prog.out")" -ge ${#payloads[@]} ] && break
	sleep 0.1
done
SENTINEL_IN=$tmp/prog.out sentinel after 20 || bad "no sentinel alert through the program output"
stop_falcod
for k in $(seq ${#payloads[@]}); do
	[ -e "$tmp/pwned$k" ] && bad "payload $k ran through a shell"
done
nf=$(grep -a -c 'po file=' "$tmp/prog.out")
nc=$(grep -a -c 'po cmd=' "$tmp/prog.out")
echo "program_output: $nf file alerts, $nc exec alerts received by the program for ${#payloads[@]} payloads each; no payload ran"
[ "$nf" -ge ${#payloads[@]} ] && [ "$nc" -ge ${#payloads[@]} ] || bad "missing alerts in the program's input"
grep -a -q -F "\$(touch $tmp/pwned1)" "$tmp/prog.out" || bad "the \$(...) payload did not reach the program verbatim"
grep -a -q -F "\`touch $tmp/pwned2\`" "$tmp/prog.out" || bad "the backtick payload did not reach the program verbatim"
finish
