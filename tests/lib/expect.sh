# The shell tests' one way to expect a refusal: a command's exit status and what it says on stderr. Source it, with
# WORK set to the test's scratch folder (a command's output goes to $WORK/NAME.out and $WORK/NAME.err):
#
#   source "$(dirname "${BASH_SOURCE[0]}")/../lib/expect.sh"
#   fails_with data_missing 2 'x_geo/en: not found' -- "$CLIKA" run --data "$WORK/nothing" ...
#
# fails_with [OPTIONS] NAME EXIT PATTERN... -- COMMAND...
#   runs COMMAND and passes when it exits EXIT (a number, or "nonzero" for any failure) and its stderr matches every
#   PATTERN; otherwise it prints what differs and stderr, and exits 1.
# exited_as [OPTIONS] NAME EXIT STATUS PATTERN...
#   the same check for a command already run, which exited STATUS with its stderr in $WORK/NAME.err.
# OPTIONS:
#   -F           the patterns are fixed strings (default: extended regular expressions)
#   --one-line   stderr is one line
#   --one-error  stderr has one "clika: error:" line, the last, and the patterns match in it after that prefix

exited_as() {
  local grep_mode=-E one_line=0 one_error=0
  while [[ $1 == -* ]]; do
    case $1 in
      -F) grep_mode=-F ;;
      --one-line) one_line=1 ;;
      --one-error) one_error=1 ;;
      *) echo "exited_as: unknown option $1"; exit 1 ;;
    esac
    shift
  done
  local name="$1" want="$2" status="$3"; shift 3
  local err="$WORK/$name.err" problem="" pattern
  if [[ $want == nonzero ]]; then
    (( status != 0 )) || problem="exit 0, expected a failure"
  elif (( status != want )); then
    problem="exit $status, expected $want"
  fi
  if [[ -z $problem ]] && (( one_line )) && (( $(wc -l < "$err") != 1 )); then problem="expected one line on stderr"; fi
  if [[ -z $problem ]] && (( one_error )) && (( $(grep -c '^clika: error:' "$err") != 1 )); then problem="expected one 'clika: error:' line"; fi
  for pattern in "$@"; do
    [[ -z $problem ]] || break
    if (( one_error )); then
      tail -n 1 "$err" | grep -Eq -- "^clika: error: .*$pattern" || problem="its error line (the last) does not match /$pattern/"
    else
      grep "$grep_mode" -q -- "$pattern" "$err" || problem="stderr does not match /$pattern/"
    fi
  done
  if [[ -n $problem ]]; then
    echo "$name: $problem; stderr:"; tail -c 4000 "$err"; exit 1
  fi
}

fails_with() {
  local options=() patterns=() status=0
  while [[ $1 == -* ]]; do options+=("$1"); shift; done
  local name="$1" want="$2"; shift 2
  while (( $# > 0 )) && [[ $1 != -- ]]; do patterns+=("$1"); shift; done
  (( $# > 0 )) || { echo "fails_with $name: no -- before the command"; exit 1; }
  shift
  "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" || status=$?
  exited_as "${options[@]}" "$name" "$want" "$status" "${patterns[@]}"
}
