# fish completion for sipcred-convert(1)

# FILE is not typed yet: no argument so far that is neither an option nor an
# option value.
function __sipcred_convert_needs_file
    set -l words (commandline -opc)
    set -e words[1]
    set -l value 0 # the next word is the value of an option
    for word in $words
        if test $value -eq 1
            set value 0
            continue
        end
        switch $word
            case -o --output -a --algorithm --realm --threads
                set value 1
            case -
                return 1
            case '-*'
            case '*'
                return 1
        end
    end
    return 0
end

# One of the options named is on the command line.
function __sipcred_convert_seen
    set -l words (commandline -opc)
    for word in $words[2..-1]
        for option in $argv
            string match -q -- $option $word; and return 0
            string match -q -- "$option=*" $word; and return 0
        end
    end
    return 1
end

# -a takes a comma-separated list: complete its last item.
function __sipcred_convert_algorithms
    set -l token (string replace -r -- '^(--algorithm=|-a)' '' (commandline -ct))
    set -l head (string match -r -- '^.*,' $token)
    set -l used (string split , -- (string lower -- $head))
    contains -- md5 $used; or printf '%s\t%s\n' "$head"md5 'MD5 hash'
    contains -- sha256 $used; or printf '%s\t%s\n' "$head"sha256 'SHA-256 hash'
end

# --threads: one thread, or one per core (the default).
function __sipcred_convert_threads
    printf '%s\t%s\n' 1 'One thread'
    set -l cores (nproc 2>/dev/null; or getconf _NPROCESSORS_ONLN 2>/dev/null)
    if set -q cores[1]; and test "$cores[1]" != 1
        printf '%s\t%s\n' $cores[1] 'One per core (default)'
    end
end

complete -c sipcred-convert -f

# FILE, or - for standard input.
complete -c sipcred-convert -n __sipcred_convert_needs_file -F -a '-\t"Standard input"'

# Output.
complete -c sipcred-convert -n 'not __sipcred_convert_seen --in-place --verify' -s o -l output -r -F -d 'Write the result to a file'
complete -c sipcred-convert -n 'not __sipcred_convert_seen -o --output --in-place --verify' -l in-place -d 'Replace FILE atomically'

# Conversion.
complete -c sipcred-convert -s a -l algorithm -x -d 'Hash to add' -a '(__sipcred_convert_algorithms)'
complete -c sipcred-convert -l drop-clrtxt -d 'Remove the clear text once hashed'
complete -c sipcred-convert -l realm -x -d 'Realm of the hashes (default: each domain)'
complete -c sipcred-convert -l threads -x -d 'Hashing threads (1-256)' -a '(__sipcred_convert_threads)'

# Reports.
complete -c sipcred-convert -l dry-run -d 'Write nothing, report what would change'
complete -c sipcred-convert -l json -d 'Print the report as JSON on stdout'
complete -c sipcred-convert -n 'not __sipcred_convert_seen -o --output --in-place --verify' -l verify -d 'Check the hashes beside each clear text'
complete -c sipcred-convert -s q -l quiet -d 'Print only errors'
complete -c sipcred-convert -s h -l help -d 'Print a usage summary'
complete -c sipcred-convert -l version -d 'Print the version'
