# fish completion for sipcred-user(1)

# The arguments typed so far that are neither options nor option values: the
# subcommand first, then its FILE and IDENTITY arguments.
function __sipcred_user_args
    set -l words (commandline -opc)
    set -e words[1]
    set -l value 0 # the next word is the value of an option
    set -l length 0 # the next word may be the length of --generate
    for word in $words
        if test $value -eq 1
            set value 0
            continue
        end
        if test $length -eq 1
            set length 0
            string match -qr '^[0-9]+$' -- $word; and continue
        end
        switch $word
            case -a --algorithm --password-file --realm --auth-user --phone --domain --from --format
                set value 1
            case --generate
                set length 1
            case '-*'
            case '*'
                printf '%s\n' $word
        end
    end
end

# No subcommand yet.
function __sipcred_user_needs_subcommand
    set -l args (__sipcred_user_args)
    not set -q args[1]
end

# The subcommand is one of those named.
function __sipcred_user_using
    set -l args (__sipcred_user_args)
    set -q args[1]; and contains -- $args[1] $argv
end

# The subcommand is typed and FILE is expected.
function __sipcred_user_needs_file
    set -l args (__sipcred_user_args)
    test (count $args) -eq 1
end

# An IDENTITY of FILE is expected: after FILE for rotate, show and check, and
# any number of them for remove.
function __sipcred_user_needs_identity
    set -l args (__sipcred_user_args)
    switch "$args[1]"
        case rotate show check
            test (count $args) -eq 2
        case remove
            test (count $args) -ge 2
        case '*'
            return 1
    end
end

# The lines of FILE (the first argument after the subcommand) that define a
# user, when it is a readable file; the first field is the identity.
function __sipcred_user_auth_lines
    set -l args (__sipcred_user_args)
    set -q args[2]; or return
    set -l file (string replace -r '^~/' "$HOME/" -- $args[2])
    test -f "$file"; and test -r "$file"; or return
    awk 'NR > 1 && /^[^#[:space:]]/ { print $1 }' <$file 2>/dev/null
end

# The identities of FILE (for remove, those not on the command line yet).
function __sipcred_user_identities
    set -l args (__sipcred_user_args)
    for id in (__sipcred_user_auth_lines | sort -u)
        if test "$args[1]" = remove; and contains -- $id $args[3..-1]
            continue
        end
        printf '%s\n' $id
    end
end

# The auth users of IDENTITY (the argument after FILE) in FILE, one per
# account: the user-id after the ';' of each of its lines, or the user part
# when there is none.
function __sipcred_user_auth_users
    set -l args (__sipcred_user_args)
    set -q args[3]; or return
    set -l file (string replace -r '^~/' "$HOME/" -- $args[2])
    test -f "$file"; and test -r "$file"; or return
    awk -v id="$args[3]" 'NR > 1 && /^[^#[:space:]]/ && $1 == id {
        rest = $0; sub(/\r$/, "", rest); sub(/^[^;]*;/, "", rest)
        if (split(rest, f) > 0) { print f[1]; next }
        user = $1
        if (sub(/@[^@]*$/, "", user) && user != "") print user
    }' <$file 2>/dev/null | sort -u | string replace -r '$' \t"Auth user of $args[3]"
end

# The domains of FILE, for list --domain.
function __sipcred_user_domains
    __sipcred_user_auth_lines | string replace -r '^[^@]*@' '' | sort -u
end

# -a takes a comma-separated list: complete its last item.
function __sipcred_user_algorithms
    set -l token (string replace -r -- '^(--algorithm=|-a)' '' (commandline -ct))
    set -l head (string match -r -- '^.*,' $token)
    set -l used (string split , -- (string lower -- $head))
    contains -- md5 $used; or printf '%s\t%s\n' "$head"md5 'MD5 hash'
    contains -- sha256 $used; or printf '%s\t%s\n' "$head"sha256 'SHA-256 hash'
end

complete -c sipcred-user -f

# Options of every subcommand.
complete -c sipcred-user -s h -l help -d 'Print a usage summary'
complete -c sipcred-user -s q -l quiet -d 'Print only errors on standard error'
complete -c sipcred-user -n __sipcred_user_needs_subcommand -l version -d 'Print the version'

# Subcommands.
complete -c sipcred-user -n __sipcred_user_needs_subcommand -a init -d 'Create an empty userdb (mode 0600)'
complete -c sipcred-user -n __sipcred_user_needs_subcommand -a add -d 'Add a user'
complete -c sipcred-user -n __sipcred_user_needs_subcommand -a rotate -d 'Give a user a new password'
complete -c sipcred-user -n __sipcred_user_needs_subcommand -a remove -d 'Remove users (all or none)'
complete -c sipcred-user -n __sipcred_user_needs_subcommand -a list -d 'List the users'
complete -c sipcred-user -n __sipcred_user_needs_subcommand -a show -d 'Show one user and its line'
complete -c sipcred-user -n __sipcred_user_needs_subcommand -a check -d 'Check the password of a user'
complete -c sipcred-user -n __sipcred_user_needs_subcommand -a import -d 'Add or rotate many users at once'

# Arguments: FILE, then the identities it holds.
complete -c sipcred-user -n __sipcred_user_needs_file -F
complete -c sipcred-user -n __sipcred_user_needs_identity -a '(__sipcred_user_identities)'

# The store: a userdb file or a database (every subcommand).
complete -c sipcred-user -n 'not __sipcred_user_needs_subcommand' -l schema -x -d 'Schema of a database' -a '
    flexisip\t"Flexisip accounts + passwords"
    kamailio\t"Kamailio subscriber"
    opensips\t"OpenSIPS subscriber"
    flexiapi\t"Flexisip Account Manager accounts"
    asterisk\t"Asterisk PJSIP realtime ps_auths"'
complete -c sipcred-user -n 'not __sipcred_user_needs_subcommand' -l db-password-stdin -d 'Read the database password from standard input'
complete -c sipcred-user -n '__sipcred_user_using add rotate remove import' -l dry-run -d 'Print what would change, write nothing'

# Password input (add, rotate, check).
complete -c sipcred-user -n '__sipcred_user_using add rotate check' -l password-stdin -d 'Read the password from standard input'
complete -c sipcred-user -n '__sipcred_user_using add rotate check' -l password-file -r -F -d 'Read the password from a file'
complete -c sipcred-user -n '__sipcred_user_using add rotate' -l generate -d 'Generate the password (--generate=LEN)'

# Credentials (add, rotate, import).
complete -c sipcred-user -n '__sipcred_user_using add rotate import' -s a -l algorithm -x -d 'Store this hash' -a '(__sipcred_user_algorithms)'
complete -c sipcred-user -n '__sipcred_user_using add rotate import' -l clrtxt -d 'Store the clear password instead'
complete -c sipcred-user -n '__sipcred_user_using add rotate import check list show remove' -l realm -x -d 'Realm of the hashes'

# add: a new user-id; rotate, show, check: one of the accounts of IDENTITY
complete -c sipcred-user -n '__sipcred_user_using add' -l auth-user -x -d 'Digest user name, when not the user'
complete -c sipcred-user -n '__sipcred_user_using rotate show check' -l auth-user -x -d 'Only the account with this digest user name' -a '(__sipcred_user_auth_users)'

# add
complete -c sipcred-user -n '__sipcred_user_using add' -l phone -x -d 'Phone number'

# list, show
complete -c sipcred-user -n '__sipcred_user_using list' -l domain -x -d 'Only the users of this domain' -a '(__sipcred_user_domains)'
complete -c sipcred-user -n '__sipcred_user_using list show' -l json -d 'Print JSON'

# import
complete -c sipcred-user -n '__sipcred_user_using import' -l from -r -F -d 'Read the list from a file' -a '-\t"Standard input"'
complete -c sipcred-user -n '__sipcred_user_using import' -l format -x -d 'Format of the list' -a '
    csv\t"CSV with a header line"
    jsonl\t"One JSON object per line"'
complete -c sipcred-user -n '__sipcred_user_using import' -l generate -d 'Generate the empty passwords (--generate=LEN)'
