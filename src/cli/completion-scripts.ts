import { usageError } from './exit.js';
import { commonFlags, flagBool, formatFlags, parseArgs } from './flags.js';
import { type CommandName, invokedAs } from './invoked-as.js';
import type { CliIO } from './io.js';

/**
 * `kubectl verify completion bash|zsh|fish`: a script for the standalone program (`kubectl-verify`,
 * or `flux-verify` when run under that name). Each script only asks the program itself, through
 * `PROGRAM __complete WORDS…` (complete.ts), and turns the answer into the shell's own terms, as the
 * scripts cobra generates do; `kubectl verify` needs none of this, kubectl's own completion runs
 * kubectl_complete-verify.
 */
export const shells = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof shells)[number];

/** the executable a CommandName runs as: `kubectl verify` → `kubectl-verify` */
export function programOf(cmd: CommandName): string {
  return cmd.replace(' ', '-');
}

/** a shell identifier from the program name: `kubectl-verify` → `kubectl_verify` */
function ident(program: string): string {
  return program.replace(/[^A-Za-z0-9_]/g, '_');
}

/** the comment every script carries: the protocol it speaks, for whoever reads or debugs it */
const protocol = (program: string): string => `# The candidates come from the program itself: '${program} __complete WORD... CURRENT' prints
# one a line (a tab before a description), then ':N' where N adds up 1 (error), 2 (no space
# after it), 4 (no file names), 8 (file extensions), 16 (directories).`;

export function bashScript(program: string): string {
  const fn = `__${ident(program)}_complete`;
  return `# bash completion for ${program}
#   in this shell:     source <(${program} completion bash)
#   every session:     ${program} completion bash > ~/.local/share/bash-completion/completions/${program}
${protocol(program)}

${fn}() {
    # the words up to the cursor, split on blanks: bash's own COMP_WORDS also splits at '=' and ':'
    local line=\${COMP_LINE:0:COMP_POINT}
    local -a words=()
    read -r -a words <<< "$line"
    [[ $line == *[[:blank:]] ]] && words+=('')
    (( \${#words[@]} > 1 )) || return 0
    local cur=\${words[\${#words[@]}-1]}
    local prog=\${words[0]/#\\~/$HOME}
    local out
    out=$("$prog" __complete "\${words[@]:1}" 2>/dev/null) || return 0

    local directive=\${out##*$'\\n'} cands=''
    if [[ $directive =~ ^:[0-9]+$ ]]; then
        directive=\${directive#:}
        [[ $out == *$'\\n'* ]] && cands=\${out%$'\\n'*}
    else
        directive=0 cands=$out
    fi
    (( directive & 1 )) && return 0

    # '--flag=value': the program answers with values, the flag goes back in front of them; bash then
    # replaces only what follows the last word break ('=' or ':') of the word, so that part is cut off
    local flag='' breaks='' trim='' c
    [[ $cur == -*=* ]] && flag="\${cur%%=*}="
    [[ $COMP_WORDBREAKS == *=* ]] && breaks+='='
    [[ $COMP_WORDBREAKS == *:* ]] && breaks+=':'
    [[ -n $breaks ]] && trim=\${cur%"\${cur##*[$breaks]}"}
    local value=\${cur#"$flag"}

    COMPREPLY=()
    if (( directive & 8 )); then
        local ext
        while IFS= read -r ext; do
            [[ -n $ext ]] || continue
            while IFS= read -r c; do COMPREPLY+=("$c"); done < <(compgen -f -X "!*.\${ext%%$'\\t'*}" -- "$value")
        done <<< "$cands"
        while IFS= read -r c; do COMPREPLY+=("$c"); done < <(compgen -d -- "$value")
        compopt -o filenames 2>/dev/null
        return 0
    fi
    if (( directive & 16 )); then
        while IFS= read -r c; do COMPREPLY+=("$c"); done < <(compgen -d -- "$value")
        compopt -o filenames 2>/dev/null
        return 0
    fi
    while IFS= read -r c; do
        [[ -n $c ]] || continue
        c=$flag\${c%%$'\\t'*}
        COMPREPLY+=("\${c#"$trim"}")
    done <<< "$cands"
    if type compopt >/dev/null 2>&1; then
        if (( directive & 2 )); then compopt -o nospace; fi
        # registered with '-o default': an empty answer falls back to file names unless told not to
        if (( directive & 4 )); then compopt +o default; fi
    fi
    return 0
}

complete -o default -F ${fn} ${program}
`;
}

export function zshScript(program: string): string {
  const fn = `_${ident(program)}`;
  return `#compdef ${program}
# zsh completion for ${program}
#   in this shell:     source <(${program} completion zsh)
#   every session:     ${program} completion zsh > "\${fpath[1]}/_${program}"
${protocol(program)}

${fn}() {
    local cur=\${words[CURRENT]}
    local prog=\${words[1]/#\\~/$HOME}
    local out
    out=$("$prog" __complete "\${(@Q)words[2,CURRENT-1]}" "\${(Q)cur}" 2>/dev/null) || return 1

    local directive=\${out##*$'\\n'} cands=''
    if [[ $directive == :<-> ]]; then
        directive=\${directive#:}
        [[ $out == *$'\\n'* ]] && cands=\${out%$'\\n'*}
    else
        directive=0 cands=$out
    fi
    (( directive & 1 )) && return 1

    local -a comps exts opts
    local line name desc
    for line in "\${(@f)cands}"; do
        [[ -n $line ]] || continue
        name=\${line%%$'\\t'*}
        exts+=("$name")
        desc=''
        [[ $line == *$'\\t'* ]] && desc=\${line#*$'\\t'}
        # _describe reads 'value:description': a colon in the value is escaped
        comps+=("\${name//:/\\\\:}\${desc:+:$desc}")
    done
    if (( directive & 8 )); then _files -g "*.(\${(j:|:)exts})"; return; fi
    if (( directive & 16 )); then _files -/; return; fi
    if (( \${#comps} == 0 )); then
        (( directive & 4 )) && return 1
        _files
        return
    fi
    # '--flag=value': the program answers with values; the flag is kept as a prefix
    [[ $cur == -*=* ]] && opts+=(-P "\${cur%%=*}=")
    (( directive & 2 )) && opts+=(-S '')
    _describe -t values completion comps "\${opts[@]}"
}

# loaded from fpath as the file _${program}, the file is the function; sourced, it registers one
if [[ \${funcstack[1]} == _${program} ]]; then
    ${fn} "$@"
else
    compdef ${fn} ${program}
fi
`;
}

export function fishScript(program: string): string {
  const fn = `__${ident(program)}`;
  return `# fish completion for ${program}
#   in this shell:     ${program} completion fish | source
#   every session:     ${program} completion fish > ~/.config/fish/completions/${program}.fish
${protocol(program)}

# sets ${fn}_results; false when fish should complete file names itself
function ${fn}_prepare
    set -g ${fn}_results
    set -l args (commandline -opc)
    set -l cur (commandline -ct)
    set -l prog $args[1]
    set -e args[1]
    set -l out ($prog __complete $args $cur 2>/dev/null)
    or return 1
    set -l directive 0
    if test (count $out) -gt 0; and string match -qr '^:[0-9]+$' -- $out[-1]
        set directive (string sub -s 2 -- $out[-1])
        set -e out[-1]
    end
    # 1: an error, nothing to offer
    test (math "$directive % 2") -eq 1; and return 0
    # 8 and 16 (file extensions, directories): fish's own file completion
    test (math "floor($directive / 8) % 4") -ne 0; and return 1
    # '--flag=value': the program answers with values, fish wants the whole word
    set -l flag (string match -r -- '^-[^=]*=' $cur)
    for c in $out
        test -n "$c"; and set -a ${fn}_results "$flag$c"
    end
    if test (count $${fn}_results) -eq 0
        # 4: no file names either
        test (math "floor($directive / 4) % 2") -eq 1
        return
    end
    # 2, no space: fish adds no space after a candidate ending in / = @ : . or , and for any other
    # a second, longer candidate keeps fish from taking the only one and moving on
    if test (math "floor($directive / 2) % 2") -eq 1; and test (count $${fn}_results) -eq 1
        set -l only (string split -m 1 \\t -- $${fn}_results[1])[1]
        string match -qr '[/=@:.,]$' -- $only; or set -g ${fn}_results $only $only.
    end
    return 0
end

complete -c ${program} -e
complete -c ${program} -n ${fn}_prepare -f -a '$${fn}_results'
`;
}

const scripts: Readonly<Record<Shell, (program: string) => string>> = { bash: bashScript, zsh: zshScript, fish: fishScript };

export function completionHelp(cmd: CommandName = invokedAs()): string {
  const program = programOf(cmd);
  return `Print a shell completion script for ${program}, the program run on its own.

Usage:
  ${cmd} completion bash|zsh|fish

Examples:
  # bash, in this shell
  source <(${program} completion bash)

  # zsh, every session (a directory on $fpath)
  ${program} completion zsh > "\${fpath[1]}/_${program}"

  # fish, every session
  ${program} completion fish > ~/.config/fish/completions/${program}.fish

'kubectl verify' completes through kubectl's own completion (kubectl 1.26 or newer): it runs the
kubectl_complete-verify shipped beside kubectl-verify, which must be on PATH too.

Flags:
${formatFlags(commonFlags)}`;
}

/** `completion SHELL` */
export function runCompletion(argv: readonly string[], io: CliIO): number {
  const args = parseArgs(argv, commonFlags);
  if (flagBool(args, 'help')) {
    io.stdout.write(`${completionHelp()}\n`);
    return 0;
  }
  const [shell, ...rest] = args.positionals;
  if (shell === undefined || rest.length > 0) throw usageError(`completion needs one shell: ${shells.join(', ')}`);
  if (!(shells as readonly string[]).includes(shell)) throw usageError(`no completion for shell "${shell}": ${shells.join(', ')}`);
  io.stdout.write(scripts[shell as Shell](programOf(invokedAs())));
  return 0;
}
