#!/usr/bin/env escript
%% Decodes every CDR of TS 32.297 CDR files, in the order given, with the code erlc generated from the TS 32.298
%% modules (CHFChargingDataTypes), and prints one line per CDR:
%% type|data|functionality|session|ratingGroup|time|volume|units|uPFID|opening|duration|cause|local|recordId
-include("CHFChargingDataTypes.hrl").
-mode(compile).

main(Files) ->
    lists:foreach(fun file/1, Files).

file(File) ->
    {ok, Bin} = file:read_file(File),
    <<_FileLength:32, HeaderLength:32, _/binary>> = Bin,
    <<_:HeaderLength/binary, Cdrs/binary>> = Bin,
    cdrs(Cdrs).

cdrs(<<>>) ->
    ok;
cdrs(<<Length:16, Release:3, _Version:5, _Format:3, _Ts:5, Rest0/binary>>) ->
    Rest1 = case Release of 7 -> <<_Ext:8, R/binary>> = Rest0, R; _ -> Rest0 end,
    <<Cdr:Length/binary, Rest/binary>> = Rest1,
    {ok, {chargingFunctionRecord, R1}} = 'CHFChargingDataTypes':decode('CHFRecord', Cdr),
    print(R1),
    cdrs(Rest).

print(R) ->
    %% SubscriptionID is GenericChargingDataTypes': no record of it in this module's .hrl
    {'SubscriptionID', SubType, SubData} = R#'ChargingRecord'.subscriberIdentifier,
    Consumer = R#'ChargingRecord'.nFunctionConsumerInformation,
    {RatingGroup, Time, Volume, Units, Upf} = usage(R#'ChargingRecord'.listOfMultipleUnitUsage),
    io:format("~s|~s|~s|~s|~s|~s|~s|~s|~s|~s|~s|~s|~s|~s~n", [
        atom_to_list(SubType),
        binary_to_list(SubData),
        atom_to_list(Consumer#'NetworkFunctionInformation'.networkFunctionality),
        text(R#'ChargingRecord'.chargingSessionIdentifier),
        value(RatingGroup), value(Time), value(Volume), value(Units), text(Upf),
        hex(R#'ChargingRecord'.recordOpeningTime),
        value(R#'ChargingRecord'.duration),
        value(R#'ChargingRecord'.causeForRecClosing),
        value(R#'ChargingRecord'.localRecordSequenceNumber),
        record_id(R#'ChargingRecord'.recordExtensions)]).

usage(asn1_NOVALUE) ->
    {asn1_NOVALUE, asn1_NOVALUE, asn1_NOVALUE, asn1_NOVALUE, asn1_NOVALUE};
usage([U]) ->
    [C] = U#'MultipleUnitUsage'.usedUnitContainers,
    {U#'MultipleUnitUsage'.ratingGroup, C#'UsedUnitContainer'.time, C#'UsedUnitContainer'.dataTotalVolume,
     C#'UsedUnitContainer'.serviceSpecificUnits, U#'MultipleUnitUsage'.uPFID}.

%% The usage record id: Credence's extension (its OID) whose open-type value is a UTF8String (tag 12).
record_id(asn1_NOVALUE) -> "-";
record_id(Extensions) ->
    Ids = [binary_to_list(Text) || {'ManagementExtension', {2,25,221006818677404423793618553160902601545,1}, _,
                                    {asn1_OPENTYPE, <<12, N, Text:N/binary>>}} <- Extensions],
    case Ids of [Id] -> Id; _ -> lists:flatten(io_lib:format("unreadable: ~w", [Extensions])) end.

value(asn1_NOVALUE) -> "-";
value(V) when is_integer(V) -> integer_to_list(V);
value(V) when is_atom(V) -> atom_to_list(V).

text(asn1_NOVALUE) -> "-";
text(B) when is_binary(B) -> binary_to_list(B);
text(L) when is_list(L) -> L.

hex(B) -> lists:flatten([io_lib:format("~2.16.0b", [X]) || <<X>> <= B]).
