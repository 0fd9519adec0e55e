# fish completion for sipcred-sim(1)

# The subcommand: the first word after the command that is not an option (the
# options allowed before it take no value).
function __sipcred_sim_subcommand
    set -l words (commandline -opc)
    for word in $words[2..-1]
        switch $word
            case '-*'
            case '*'
                printf '%s\n' $word
                return
        end
    end
end

# No subcommand yet.
function __sipcred_sim_needs_subcommand
    set -l sub (__sipcred_sim_subcommand)
    not set -q sub[1]
end

# The subcommand is one of those named.
function __sipcred_sim_using
    set -l sub (__sipcred_sim_subcommand)
    set -q sub[1]; and contains -- $sub $argv
end

# The digest algorithms, with a description.
function __sipcred_sim_algorithm_list
    printf '%s\t%s\n' \
        MD5 'RFC 2617 MD5 (the default)' \
        SHA-256 'RFC 7616 SHA-256' \
        SHA-512-256 'RFC 7616 SHA-512/256' \
        MD5-sess 'MD5, session variant' \
        SHA-256-sess 'SHA-256, session variant' \
        SHA-512-256-sess 'SHA-512/256, session variant'
end

# challenge -a takes a comma-separated list: complete its last item, leaving
# out the algorithms already in the list.
function __sipcred_sim_algorithms
    set -l token (string replace -r -- '^(--algorithm=|-a)' '' (commandline -ct))
    set -l head (string match -r -- '^.*,' $token)
    set -l used (string split , -- (string lower -- $head))
    for line in (__sipcred_sim_algorithm_list)
        set -l alg (string split -f1 \t -- $line)
        contains -- (string lower -- $alg) $used; or printf '%s%s\n' "$head" $line
    end
end

complete -c sipcred-sim -f

# Options of every subcommand.
complete -c sipcred-sim -s h -l help -d 'Print a usage summary'
complete -c sipcred-sim -s q -l quiet -d 'Print only errors on standard error'
complete -c sipcred-sim -n __sipcred_sim_needs_subcommand -l version -d 'Print the version'
complete -c sipcred-sim -n __sipcred_sim_needs_subcommand -l list-stores -d 'Print the kinds of store it opens'

# Subcommands.
complete -c sipcred-sim -n __sipcred_sim_needs_subcommand -a challenge -d 'Print the challenges of a server'
complete -c sipcred-sim -n __sipcred_sim_needs_subcommand -a respond -d 'Answer challenges as a client would'
complete -c sipcred-sim -n __sipcred_sim_needs_subcommand -a verify -d 'Check an Authorization header against a store'
complete -c sipcred-sim -n __sipcred_sim_needs_subcommand -a exchange -d 'Rehearse a user\'s whole exchange as a flexisip.conf sets it up'
complete -c sipcred-sim -n __sipcred_sim_needs_subcommand -a probe -d 'Register with a live SIP server'
complete -c sipcred-sim -n __sipcred_sim_needs_subcommand -a serve -d 'Be a registrar that authenticates as Flexisip does'

# challenge
complete -c sipcred-sim -n '__sipcred_sim_using challenge' -l realm -x -d 'Realm of the challenges'
complete -c sipcred-sim -n '__sipcred_sim_using challenge' -s a -l algorithm -x -d 'Add a challenge with this algorithm' -a '(__sipcred_sim_algorithms)'
complete -c sipcred-sim -n '__sipcred_sim_using challenge' -l qop -x -d 'Quality of protection offered' -a '
    auth\t"Authentication only (default)"
    auth-int\t"Authentication and body integrity"
    none\t"No qop parameter"'
complete -c sipcred-sim -n '__sipcred_sim_using challenge' -l proxy -d 'Proxy-Authenticate (a proxy\'s 407) instead'
complete -c sipcred-sim -n '__sipcred_sim_using challenge' -l stale -d 'Mark the nonce stale'
complete -c sipcred-sim -n '__sipcred_sim_using challenge' -l nonce -x -d 'The nonce (default: random)'
complete -c sipcred-sim -n '__sipcred_sim_using challenge' -l opaque -x -d 'An opaque value for the client to echo'

# respond
complete -c sipcred-sim -n '__sipcred_sim_using respond' -l challenge -x -d 'A challenge header line (default: standard input)'
complete -c sipcred-sim -n '__sipcred_sim_using respond' -l user -x -d 'The user'
complete -c sipcred-sim -n '__sipcred_sim_using respond probe exchange' -l auth-user -x -d 'Digest user name, when not the user'
complete -c sipcred-sim -n '__sipcred_sim_using respond probe exchange; and not __fish_seen_argument -l password-stdin -l password-file' -l password-stdin -d 'Read the password from standard input'
complete -c sipcred-sim -n '__sipcred_sim_using respond probe exchange; and not __fish_seen_argument -l password-stdin' -l password-file -r -F -d 'Read the password from a file'
complete -c sipcred-sim -n '__sipcred_sim_using respond' -l uri -x -d 'The Request-URI'
complete -c sipcred-sim -n '__sipcred_sim_using respond' -l cnonce -x -d 'Client nonce (default: random)'
complete -c sipcred-sim -n '__sipcred_sim_using respond' -l nc -x -d 'Nonce count (default 00000001)'
complete -c sipcred-sim -n '__sipcred_sim_using respond' -l userhash -d 'Send H(user:realm) as the username'
complete -c sipcred-sim -n '__sipcred_sim_using respond probe' -s a -l algorithm -x -d 'Answer only the challenge of this algorithm' -a '(__sipcred_sim_algorithm_list)'

# verify
complete -c sipcred-sim -n '__sipcred_sim_using verify' -l authorization -x -d 'The Authorization header line'
complete -c sipcred-sim -n '__sipcred_sim_using verify serve exchange' -l store -r -F -d 'The accounts: a userdb or a store locator'
complete -c sipcred-sim -n '__sipcred_sim_using verify serve exchange' -l schema -x -a 'flexisip flexiapi kamailio opensips asterisk' -d 'SQL schema of --store'
complete -c sipcred-sim -n '__sipcred_sim_using verify serve exchange' -l config -r -F -d 'flexisip.conf'

# exchange
complete -c sipcred-sim -n '__sipcred_sim_using exchange' -l user -x -d 'The identity that registers: USER@DOMAIN'
complete -c sipcred-sim -n '__sipcred_sim_using exchange' -l json -d 'Print the transcript and verdict as JSON'

# probe
complete -c sipcred-sim -n '__sipcred_sim_using probe' -l transport -x -d 'Transport' -a '
    udp\t"UDP, retransmitted (default)"
    tcp\t"TCP"'
complete -c sipcred-sim -n '__sipcred_sim_using probe' -l timeout -x -d 'Seconds to wait for each answer (default 10)'

# serve
complete -c sipcred-sim -n '__sipcred_sim_using serve' -l listen -x -d 'HOST:PORT to listen on (default 127.0.0.1:5060)'
complete -c sipcred-sim -n '__sipcred_sim_using serve' -l realm -x -d 'Realm of the challenges (default: the From domain)'
complete -c sipcred-sim -n '__sipcred_sim_using serve' -s a -l algorithm -x -d 'Offer a challenge with this algorithm' -a 'MD5\t"RFC 2617 MD5 (the default)" SHA-256\t"RFC 7616 SHA-256"'
complete -c sipcred-sim -n '__sipcred_sim_using serve' -l no-qop -d 'Challenge without qop (disable-qop-auth)'
complete -c sipcred-sim -n '__sipcred_sim_using serve' -l no-403 -d 'Answer a failed check with a new challenge'
complete -c sipcred-sim -n '__sipcred_sim_using serve' -l nonce-expires -x -d 'Nonce lifetime in seconds (default 3600)'
complete -c sipcred-sim -n '__sipcred_sim_using serve' -l transport -x -d 'Transports to listen on' -a '
    udp\t"UDP only"
    tcp\t"TCP only"
    both\t"UDP and TCP (default)"'
complete -c sipcred-sim -n '__sipcred_sim_using serve' -l idle-timeout -x -d 'Seconds a TCP connection may stay idle (default 120)'
complete -c sipcred-sim -n '__sipcred_sim_using serve' -l message-timeout -x -d 'Seconds from the first byte of a TCP message to its last (default 20)'
complete -c sipcred-sim -n '__sipcred_sim_using serve' -l max-failures -x -d 'N/MINUTES: failed authentications from one address before 403'

# respond and verify
complete -c sipcred-sim -n '__sipcred_sim_using respond verify exchange' -l method -x -d 'SIP method of the request' -a '
    REGISTER INVITE MESSAGE SUBSCRIBE NOTIFY PUBLISH OPTIONS REFER INFO UPDATE PRACK BYE'
complete -c sipcred-sim -n '__sipcred_sim_using respond verify' -l body-file -r -F -d 'Message body, for qop=auth-int'
